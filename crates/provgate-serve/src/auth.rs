//! Who may call the API: tokens kept as SHA-256 digests, each with scopes, and a rate limit
//! per client address.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{Scope, Token};

/// The configured tokens.
#[derive(Debug, Clone)]
pub struct Tokens {
    tokens: Vec<([u8; 32], Token)>,
}

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No token, or one that is not configured: 401.
    Unauthenticated,
    /// A token without the scope: 403.
    Forbidden,
}

impl Tokens {
    /// The tokens of the configuration (digests validated by the configuration).
    pub fn new(tokens: &[Token]) -> Tokens {
        Tokens {
            tokens: tokens
                .iter()
                .filter_map(|t| Some((decode_hex(&t.sha256)?, t.clone())))
                .collect(),
        }
    }

    /// Whether any token is configured (none: the API is open).
    pub fn any(&self) -> bool {
        !self.tokens.is_empty()
    }

    /// Checks the `Authorization` header's value for `scope`; the token's name when allowed.
    pub fn allow(&self, header: Option<&str>, scope: Scope) -> Result<Option<String>, Denied> {
        if !self.any() {
            return Ok(None);
        }
        let Some(presented) = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("Token "))
            })
            .map(str::trim)
        else {
            return Err(Denied::Unauthenticated);
        };
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        // Every configured digest is compared, in constant time, so the time taken tells nothing
        // of which (or whether one) matched.
        let mut found: Option<&Token> = None;
        for (expected, token) in &self.tokens {
            if bool::from(expected.ct_eq(&digest)) {
                found = Some(token);
            }
        }
        match found {
            None => Err(Denied::Unauthenticated),
            Some(token) if token.scopes.contains(&scope) => Ok(Some(token.name.clone())),
            Some(_) => Err(Denied::Forbidden),
        }
    }
}

/// The lower-case hex SHA-256 of a token, as the configuration stores it.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new random token (32 bytes, hex).
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, chunk) in text.as_bytes().chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
    }
    Some(out)
}

/// Requests per client address per minute.
pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimit")
    }
}

impl RateLimit {
    /// `per_minute` requests a minute for each client, in bursts of up to a tenth of that.
    pub fn new(per_minute: u32) -> RateLimit {
        let rate = NonZeroU32::new(per_minute.max(1)).expect("at least one");
        let burst = NonZeroU32::new((per_minute / 10).max(1)).expect("at least one");
        RateLimit {
            limiter: RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)),
        }
    }

    /// Whether `client` may make a request now.
    pub fn check(&self, client: IpAddr) -> bool {
        self.limiter.check_key(&client).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(&[Token {
            name: "ci".into(),
            sha256: hash_token("s3cret"),
            scopes: [Scope::Check].into(),
        }])
    }

    #[test]
    fn tokens_are_checked_by_digest_and_scope() {
        let t = tokens();
        assert_eq!(
            t.allow(Some("Bearer s3cret"), Scope::Check),
            Ok(Some("ci".into()))
        );
        assert_eq!(
            t.allow(Some("Bearer s3cret"), Scope::Read),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            t.allow(Some("Bearer wrong"), Scope::Check),
            Err(Denied::Unauthenticated)
        );
        assert_eq!(t.allow(None, Scope::Check), Err(Denied::Unauthenticated));
        assert_eq!(Tokens::new(&[]).allow(None, Scope::Check), Ok(None));
    }

    #[test]
    fn a_client_over_its_rate_is_refused_others_are_not() {
        let limit = RateLimit::new(20);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert!(limit.check(a));
        assert!(limit.check(a));
        assert!(!limit.check(a));
        assert!(limit.check(b));
    }
}
