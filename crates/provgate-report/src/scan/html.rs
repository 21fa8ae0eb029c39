//! The scan as one self-contained HTML file: no script, no network, charts as inline SVG, so it
//! opens the same on an air-gapped auditor's machine as in a browser on the web.

use std::fmt::Write;

use super::ScanReport;

/// How to render the HTML report.
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// A URL template for commits, `{id}` standing for the full commit id
    /// (e.g. `https://gitlab.com/qemu-project/qemu/-/commit/{id}`); none: ids are not links.
    pub commit_url: Option<String>,
    /// At most this many findings in the table (0: all).
    pub max_findings: usize,
}

const WIDTH: f64 = 960.0;
const CHART_HEIGHT: f64 = 220.0;
const MARGIN_LEFT: f64 = 48.0;
const MARGIN_BOTTOM: f64 = 28.0;

/// Renders the report as an HTML page.
pub fn render(report: &ScanReport, options: &HtmlOptions) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("AI contributions in {}", report.repository);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let policies: Vec<String> = report
        .policies
        .iter()
        .map(|p| format!("{} ({})", p.extends, p.origin))
        .collect();
    let _ = writeln!(
        out,
        "<p class=\"meta\">Range <code>{}</code> · policies {} · provgate {}{}</p>",
        esc(&report.range),
        esc(&policies.join(", ")),
        esc(&report.tool.version),
        if report.partial {
            " · <strong>interrupted: partial figures</strong>"
        } else {
            ""
        }
    );
    summary_cards(&mut out, report);
    timeline(&mut out, report);
    lines_chart(&mut out, report);
    bars(
        &mut out,
        "zones",
        "AI-assisted commits by zone",
        report
            .by_zone
            .iter()
            .map(|z| (z.name.clone(), z.ai_commits, z.commits))
            .collect(),
    );
    bars(
        &mut out,
        "sections",
        "AI-assisted commits by MAINTAINERS section",
        report
            .by_section
            .iter()
            .map(|z| (z.name.clone(), z.ai_commits, z.commits))
            .collect(),
    );
    bars(
        &mut out,
        "kinds",
        "AI-assisted commits by kind of file touched",
        report
            .by_kind
            .iter()
            .map(|z| (z.name.clone(), z.ai_commits, z.commits))
            .collect(),
    );
    bars(
        &mut out,
        "tools",
        "Commits by AI tool (declared, and fingerprinted)",
        report
            .by_tool
            .iter()
            .map(|t| (t.tool.clone(), t.declared, t.declared + t.fingerprinted))
            .collect(),
    );
    comparison(&mut out, report);
    findings_table(&mut out, report, options);
    out.push_str("</body>\n</html>\n");
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#1d2330}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px}.meta{color:#5b6475}\
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #d6dae3;border-radius:6px;padding:8px 14px;min-width:120px}\
.card b{display:block;font-size:20px}svg{display:block;max-width:100%}\
.all{fill:#c9cfdb}.ai{fill:#d9622b}.declared{fill:#2b7bd9}.axis{stroke:#8a93a6;stroke-width:1}\
svg text{font-size:11px;fill:#3a4252}table{border-collapse:collapse;width:100%;margin-top:8px}\
th,td{border-bottom:1px solid #e3e6ec;padding:4px 6px;text-align:left;vertical-align:top}\
th{background:#f4f5f8}td.num{text-align:right}.deny{color:#b3261e;font-weight:600}.warn{color:#8a5a00}\
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}\
.legend span.all{background:#c9cfdb}.legend span.ai{background:#d9622b}";

fn summary_cards(out: &mut String, report: &ScanReport) {
    let t = &report.totals;
    out.push_str("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">\n");
    for (label, value) in [
        ("commits", t.commits),
        ("AI-assisted", t.ai_assisted),
        ("AI declared", t.ai_declared),
        ("AI fingerprints", t.ai_fingerprints),
        ("undisclosed", t.ai_undisclosed),
        ("human help credited", t.human_help),
        ("without sign-off", t.dco_missing),
        ("failed", t.failed),
        ("merges skipped", t.merges_skipped),
        ("unreadable", t.unreadable),
    ] {
        let _ = writeln!(
            out,
            "<div class=\"card\"><b>{value}</b>{}</div>",
            esc(label)
        );
    }
    out.push_str("</div></section>\n");
}

/// Bars per month: every commit in grey, AI-assisted ones in colour over them.
fn timeline(out: &mut String, report: &ScanReport) {
    let rows: Vec<(String, f64, f64)> = report
        .by_month
        .iter()
        .map(|m| (m.month.clone(), m.commits as f64, m.ai_commits as f64))
        .collect();
    month_chart(
        out,
        "timeline",
        "Commits per month, AI-assisted in colour",
        &rows,
        ("all", "ai"),
        ("commits", "AI-assisted commits"),
    );
}

fn lines_chart(out: &mut String, report: &ScanReport) {
    let rows: Vec<(String, f64, f64)> = report
        .by_month
        .iter()
        .map(|m| {
            (
                m.month.clone(),
                m.lines_added as f64,
                m.ai_lines_added as f64,
            )
        })
        .collect();
    month_chart(
        out,
        "lines",
        "Added lines per month, from AI-assisted commits in colour",
        &rows,
        ("all", "ai"),
        ("added lines", "added lines in AI-assisted commits"),
    );
}

fn month_chart(
    out: &mut String,
    id: &str,
    heading: &str,
    rows: &[(String, f64, f64)],
    classes: (&str, &str),
    labels: (&str, &str),
) {
    let _ = writeln!(
        out,
        "<section id=\"{id}-section\"><h2>{}</h2><p class=\"legend\"><span class=\"{}\"></span>{}<span class=\"{}\"></span>{}</p>",
        esc(heading),
        classes.0,
        esc(labels.0),
        classes.1,
        esc(labels.1)
    );
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1.0);
    let plot_w = WIDTH - MARGIN_LEFT - 8.0;
    let plot_h = CHART_HEIGHT - MARGIN_BOTTOM - 8.0;
    let step = plot_w / rows.len().max(1) as f64;
    let bar_w = (step * 0.85).max(1.0);
    let _ = writeln!(
        out,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {CHART_HEIGHT}\" role=\"img\" aria-label=\"{}\">",
        esc(heading)
    );
    let base = 8.0 + plot_h;
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{MARGIN_LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>\
         <text x=\"{}\" y=\"14\" text-anchor=\"end\">{}</text><text x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        WIDTH - 8.0,
        MARGIN_LEFT - 4.0,
        max,
        MARGIN_LEFT - 4.0
    );
    for (i, (month, all, part)) in rows.iter().enumerate() {
        let x = MARGIN_LEFT + i as f64 * step;
        let h_all = plot_h * all / max;
        let h_part = plot_h * part / max;
        let _ = writeln!(
            out,
            "<rect class=\"bar {}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{h_all:.1}\"><title>{}: {all} {}</title></rect>",
            classes.0,
            base - h_all,
            esc(month),
            esc(labels.0)
        );
        if *part > 0.0 {
            let _ = writeln!(
                out,
                "<rect class=\"bar {}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{h_part:.1}\"><title>{}: {part} {}</title></rect>",
                classes.1,
                base - h_part,
                esc(month),
                esc(labels.1)
            );
        }
    }
    // Label the first and last month and a few between, so the axis stays readable.
    let label_every = (rows.len() / 8).max(1);
    for (i, (month, _, _)) in rows.iter().enumerate() {
        if i % label_every == 0 || i + 1 == rows.len() {
            let x = MARGIN_LEFT + i as f64 * step + bar_w / 2.0;
            let _ = writeln!(
                out,
                "<text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                CHART_HEIGHT - 8.0,
                esc(month)
            );
        }
    }
    out.push_str("</svg></section>\n");
}

/// Horizontal bars: `part` in colour over `all` in grey, at most 15 rows.
fn bars(out: &mut String, id: &str, heading: &str, rows: Vec<(String, usize, usize)>) {
    if rows.is_empty() {
        return;
    }
    let rows: Vec<_> = rows.into_iter().take(15).collect();
    let row_h = 22.0;
    let label_w = 260.0;
    let height = rows.len() as f64 * row_h + 8.0;
    let max = rows.iter().map(|r| r.2).max().unwrap_or(1).max(1) as f64;
    let plot_w = WIDTH - label_w - 60.0;
    let _ = writeln!(
        out,
        "<section id=\"{id}-section\"><h2>{}</h2>\n<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">",
        esc(heading),
        esc(heading)
    );
    for (i, (name, part, all)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w_all = plot_w * *all as f64 / max;
        let w_part = plot_w * *part as f64 / max;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar all\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{w_all:.1}\" height=\"{:.1}\"><title>{}: {all}</title></rect>\
             <rect class=\"bar ai\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{w_part:.1}\" height=\"{:.1}\"><title>{}: {part}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\">{part} / {all}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(&shorten(name, 40)),
            row_h - 6.0,
            esc(name),
            row_h - 6.0,
            esc(name),
            label_w + w_all + 6.0,
            y + 14.0
        );
    }
    out.push_str("</svg></section>\n");
}

fn comparison(out: &mut String, report: &ScanReport) {
    out.push_str("<section id=\"comparison\"><h2>What each policy would have decided</h2>\n");
    out.push_str("<table id=\"policies\"><thead><tr><th>policy</th><th>failed</th><th>AI-assisted failed</th><th>warnings only</th><th></th></tr></thead><tbody>\n");
    for sim in &report.simulation {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{} / {}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&sim.policy),
            sim.failed,
            sim.failed_ai,
            sim.ai_commits,
            sim.warned,
            esc(&sim.summary)
        );
    }
    out.push_str("</tbody></table>\n");
    if !report.by_rule.is_empty() {
        out.push_str("<table id=\"rules\"><thead><tr><th>rule</th>");
        for p in &report.policies {
            let _ = write!(out, "<th>{}</th>", esc(&p.extends));
        }
        out.push_str("</tr></thead><tbody>\n");
        for rule in &report.by_rule {
            let _ = write!(out, "<tr><td><code>{}</code></td>", esc(rule.rule.as_str()));
            for n in &rule.commits {
                let _ = write!(out, "<td class=\"num\">{n}</td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

fn findings_table(out: &mut String, report: &ScanReport, options: &HtmlOptions) {
    let total = report.findings.len();
    let shown = if options.max_findings == 0 {
        total
    } else {
        total.min(options.max_findings)
    };
    let _ = writeln!(
        out,
        "<section id=\"findings-section\"><h2>Findings ({total})</h2>"
    );
    if shown < total {
        let _ = writeln!(
            out,
            "<p>The newest {shown} are listed; the JSON report has them all.</p>"
        );
    }
    out.push_str("<table id=\"findings\"><thead><tr><th>commit</th><th>date</th><th>policy</th><th>rule</th><th>where</th><th>message</th></tr></thead><tbody>\n");
    for f in report.findings.iter().take(shown) {
        let short = &f.commit[..f.commit.len().min(12)];
        let commit = match &options.commit_url {
            Some(template) => format!(
                "<a href=\"{}\">{}</a>",
                esc(&template.replace("{id}", &f.commit)),
                esc(short)
            ),
            None => format!("<code>{}</code>", esc(short)),
        };
        let place = match (&f.finding.path, f.finding.line) {
            (Some(path), Some(line)) => format!("{path}:{line}"),
            (Some(path), None) => path.clone(),
            (None, Some(line)) => format!("message line {line}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{commit}<br>{}</td><td>{}</td><td>{}</td><td class=\"{}\"><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&shorten(&f.subject, 60)),
            esc(f.date.as_deref().map_or("", |d| &d[..d.len().min(10)])),
            esc(&f.policy),
            f.finding.level.as_str(),
            esc(f.finding.rule.as_str()),
            esc(&place),
            esc(&f.finding.message)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_shortening() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
