//! The dashboard in a real browser: headless Chromium navigates the series list, filters it,
//! opens a series and a project, and takes a screenshot of the series page.
//!
//! Chromium reads the pages from the service's router on a real listener, fed by the check API,
//! so what is asserted is the DOM the browser built from what the service served.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use provgate_serve::Service;
use serde_json::Value;

/// A subject with markup in it, to see that the browser gets text and not an element.
const FAILING_SUBJECT: &str = "hw/timer/pit: <b>reload</b> without a sign-off";
const PASSING_SUBJECT: &str = "docs: a zero PIT count";

async fn start(dir: &Path) -> (Arc<Service>, String) {
    let repo = support::project_repo(dir);
    let service = provgate_serve::open(support::demo_config(dir, &repo, "", ""))
        .await
        .unwrap();
    let url = support::serve_http(&service).await;
    (service, url)
}

/// A one-patch mail against the project repository's `docs/pit.txt`; `signed` adds the DCO
/// sign-off that the policy requires.
fn patch_mail(subject: &str, message_id: &str, signed: bool) -> String {
    let sign_off = if signed {
        "\nSigned-off-by: Jane Doe <jane@example.org>\n"
    } else {
        ""
    };
    format!(
        "From: Jane Doe <jane@example.org>\nSubject: [PATCH] {subject}\nMessage-ID: <{message_id}>\n\
         Date: Mon, 30 Nov 2026 10:00:00 +0000\n\nDocument the zero reload.\n{sign_off}---\n\
         diff --git a/docs/pit.txt b/docs/pit.txt\n--- a/docs/pit.txt\n+++ b/docs/pit.txt\n@@ -1 +1,2 @@\n The PIT counts down.\n+A reload of 0 counts 65536.\n"
    )
}

/// Checks a mail through the API; the report and the id of the series it stored.
async fn check(client: &reqwest::Client, base: &str, mail: String) -> (Value, i64) {
    let answer = client
        .post(format!("{base}/api/v1/check?project=demo"))
        .body(mail)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let id: i64 = answer.headers()["x-provgate-series"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let report: Value = answer.json().await.unwrap();
    (report, id)
}

/// The browser to drive, or `None` outside CI when none is installed.
fn browser() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run)"
        );
        eprintln!("no headless browser found: the dashboard's browser test did not run");
    }
    found
}

/// Headless Chromium with a profile of its own, as the scan report's browser test runs it.
fn chromium(browser: &str, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The DOM Chromium built from `url`.
async fn dump_dom(browser: &'static str, profile: PathBuf, url: String) -> String {
    tokio::task::spawn_blocking(move || {
        let out = chromium(browser, &profile)
            .args(["--dump-dom", &url])
            .output()
            .expect("browser runs");
        assert!(
            out.status.success(),
            "chromium --dump-dom {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
    .await
    .unwrap()
}

/// How many rows the series table of a dumped list page has.
fn listed_rows(dom: &str) -> usize {
    dom.split("<tbody>")
        .nth(1)
        .map(|body| {
            body.split("</tbody>")
                .next()
                .unwrap_or("")
                .matches("<tr>")
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_lists_filters_and_shows_series_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let (_service, base) = start(dir.path()).await;
    provgate_deliver::http::install_crypto_provider();
    let client = reqwest::Client::new();
    let (failing, failing_id) = check(
        &client,
        &base,
        patch_mail(FAILING_SUBJECT, "fail@example.org", false),
    )
    .await;
    let (passing, passing_id) = check(
        &client,
        &base,
        patch_mail(PASSING_SUBJECT, "pass@example.org", true),
    )
    .await;
    assert_eq!(failing["verdict"], "fail", "{failing}");
    assert_ne!(passing["verdict"], "fail", "{passing}");
    let findings: Vec<&str> = failing["patches"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!findings.is_empty(), "the failing patch has findings");

    let Some(browser) = browser() else { return };
    let profile = dir.path().join("chromium-profile");

    // The list: both series, each linked to its page.
    let all = dump_dom(browser, profile.clone(), format!("{base}/")).await;
    assert_eq!(listed_rows(&all), 2, "{all}");
    assert!(all.contains(&format!("href=\"/series/{failing_id}\"")));
    assert!(all.contains(&format!("href=\"/series/{passing_id}\"")));

    // The verdict filter: only the failing series, and the filter shown as chosen.
    let failed = dump_dom(browser, profile.clone(), format!("{base}/?verdict=fail")).await;
    assert_eq!(listed_rows(&failed), 1, "{failed}");
    assert!(failed.contains(&format!("href=\"/series/{failing_id}\"")));
    assert!(!failed.contains(&format!("href=\"/series/{passing_id}\"")));
    assert!(failed.contains("<option value=\"fail\" selected=\"\">fail</option>"));

    // The series page: every finding of the report, and the subject as text, not markup.
    let series_url = format!("{base}/series/{failing_id}");
    let page = dump_dom(browser, profile.clone(), series_url.clone()).await;
    for rule in &findings {
        assert!(
            page.contains(&format!("<code>{rule}</code>")),
            "finding {rule} missing: {page}"
        );
    }
    assert!(
        page.contains("hw/timer/pit: &lt;b&gt;reload&lt;/b&gt; without a sign-off"),
        "{page}"
    );
    assert!(
        !page.contains("<b>reload</b>"),
        "markup from a mail is text"
    );
    assert!(page.contains("class=\"fail\""));

    // The project page: the chart and the rendered policy.
    let project = dump_dom(browser, profile.clone(), format!("{base}/projects/demo")).await;
    assert!(project.contains("id=\"chart\""), "{project}");
    assert!(project.contains("id=\"policy\""), "{project}");

    // A screenshot of the series page, kept in target/ to be looked at.
    let shot = dir.path().join("serve-dashboard.png");
    let status = {
        let shot = shot.clone();
        tokio::task::spawn_blocking(move || {
            chromium(browser, &profile)
                .arg(format!("--screenshot={}", shot.display()))
                .args(["--window-size=1200,1400", &series_url])
                .output()
                .expect("browser runs")
        })
        .await
        .unwrap()
    };
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000,
        "a real picture ({} bytes)",
        png.len()
    );
    // The width and height from the IHDR chunk: the window size asked for.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1200, 1400));
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::copy(&shot, target.join("serve-dashboard.png")).unwrap();
}

/// A one-patch mail that applies to the project and calls a function the tree does not have:
/// the code is read at its base, and `unknown-symbol` points at the line, with a code frame.
fn unknown_call_mail() -> Vec<u8> {
    b"From: Jane Doe <jane@example.org>\nTo: devel@lists.example.org\n\
      Subject: [PATCH] hw/timer/pit: start the ghost\nMessage-ID: <frame.1@example.org>\n\
      Date: Tue, 01 Dec 2026 09:30:00 +0000\n\nStart it.\n\nSigned-off-by: Jane Doe <jane@example.org>\n---\n\
      diff --git a/hw/timer/pit.c b/hw/timer/pit.c\n--- a/hw/timer/pit.c\n+++ b/hw/timer/pit.c\n\
      @@ -1,3 +1,4 @@\n #include \"pit.h\"\n+int ghost = ghost_init();\n \n int pit_count(int reload)\n"
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_titles_by_cover_letter_shows_parts_frames_and_pages_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let repo = support::project_repo(dir.path());
    let inbox = support::Inbox::new(&dir.path().join("inbox"));
    let v1 = support::series(&repo, &dir.path().join("work"), 1, false, None);
    for message in &v1 {
        inbox.append(message);
    }
    inbox.append(&unknown_call_mail());
    let project = format!(
        "sources.public_inbox = [\"{}\"]\narchive_url = \"https://lore.example.org/devel/\"",
        inbox.dir.display()
    );
    let service = provgate_serve::open(support::demo_config(dir.path(), &repo, "", &project))
        .await
        .unwrap();
    support::settle(&service).await;
    let base = support::serve_http(&service).await;
    let series = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(series.len(), 2, "{series:?}");
    let cover_subject = {
        let text = String::from_utf8_lossy(&v1[0]).into_owned();
        let line = text
            .lines()
            .find(|l| l.starts_with("Subject: "))
            .unwrap()
            .to_string();
        provgate_serve::ingest::strip_prefix(line.trim_start_matches("Subject: "))
    };
    let threaded = series.iter().find(|s| s.total == Some(3)).unwrap();
    let framed = series.iter().find(|s| s.total.is_none()).unwrap();
    // The series is titled by its cover letter, not its first patch.
    assert_eq!(threaded.subject, cover_subject);

    let Some(browser) = browser() else { return };
    let profile = dir.path().join("chromium-profile");

    // One series a page: the first page links to the next, which holds the other series.
    let first = dump_dom(browser, profile.clone(), format!("{base}/?limit=1")).await;
    assert_eq!(listed_rows(&first), 1, "{first}");
    let next = first
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a next-page link")
        .replace("&amp;", "&");
    assert!(!first.contains("rel=\"prev\""), "{first}");
    let second = dump_dom(browser, profile.clone(), format!("{base}{next}")).await;
    assert_eq!(listed_rows(&second), 1, "{second}");
    assert!(second.contains("rel=\"prev\""), "{second}");
    let both = format!("{first}{second}");
    assert!(
        both.contains(&format!("href=\"/series/{}\"", threaded.id)),
        "{both}"
    );
    assert!(
        both.contains(&format!("href=\"/series/{}\"", framed.id)),
        "{both}"
    );
    // The cover letter's title, and n/m.
    assert!(both.contains(&cover_subject), "{both}");
    assert!(both.contains("<td>3/3</td>"), "{both}");
    assert!(both.contains("Jane Doe"), "{both}");

    // The series page: its parts, archive links, and the finding's code frame.
    let threaded_page = dump_dom(
        browser,
        profile.clone(),
        format!("{base}/series/{}", threaded.id),
    )
    .await;
    assert!(
        threaded_page.contains("id=\"parts\">3/3<"),
        "{threaded_page}"
    );
    assert!(
        threaded_page.contains("href=\"https://lore.example.org/devel/"),
        "{threaded_page}"
    );
    let framed_url = format!("{base}/series/{}", framed.id);
    let page = dump_dom(browser, profile.clone(), framed_url.clone()).await;
    assert!(page.contains("<code>unknown-symbol</code>"), "{page}");
    assert!(page.contains("class=\"frame\""), "a code frame: {page}");
    assert!(
        page.contains("<span class=\"target\">    2 | int ghost = ghost_init();"),
        "the finding's line marked: {page}"
    );
    assert!(
        !page.contains(&dir.path().display().to_string()),
        "no server path: {page}"
    );

    // A screenshot of the framed series page, kept in target/ to be looked at.
    let shot = dir.path().join("serve-dashboard-frames.png");
    let status = {
        let shot = shot.clone();
        tokio::task::spawn_blocking(move || {
            chromium(browser, &profile)
                .arg(format!("--screenshot={}", shot.display()))
                .args(["--window-size=1200,1400", &framed_url])
                .output()
                .expect("browser runs")
        })
        .await
        .unwrap()
    };
    assert!(status.status.success());
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::copy(&shot, target.join("serve-dashboard-frames.png")).unwrap();
}
