//! The presets, one TOML file each under this crate's `presets/` (the repository root links
//! `presets` there, where users look for them), embedded here so that the crate builds alone.
//!
//! Each preset cites the published policy it encodes in its `[about]` table and says where that
//! source is vague instead of inventing a rule.

/// Every preset: its name and its text.
static PRESETS: &[(&str, &str)] = &[
    ("default", include_str!("../presets/default.toml")),
    ("qemu", include_str!("../presets/qemu.toml")),
    (
        "qemu-llm-usage",
        include_str!("../presets/qemu-llm-usage.toml"),
    ),
    ("qemu-2025", include_str!("../presets/qemu-2025.toml")),
    ("linux", include_str!("../presets/linux.toml")),
    ("mesa", include_str!("../presets/mesa.toml")),
    ("fedora", include_str!("../presets/fedora.toml")),
    ("llvm", include_str!("../presets/llvm.toml")),
    ("openinfra", include_str!("../presets/openinfra.toml")),
    ("asf", include_str!("../presets/asf.toml")),
    ("ban", include_str!("../presets/ban.toml")),
];

/// The text of the preset `name`.
pub fn get(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The names of all presets, `default` first.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}
