//! `tomscan diff` in a terminal, in Markdown and in JSON. Values from the accounts are
//! made inert the same way as in the report's table and Markdown.

use std::fmt::Write;

use comfy_table::Cell;

use super::markdown::{code, esc};
use super::table::{clean, colored, short_resource, table};
use crate::diff::{Change, Diff, SectionDelta};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Markdown,
}

impl DiffFormat {
    pub fn render(self, diff: &Diff, color: bool) -> String {
        match self {
            DiffFormat::Table => render_table(diff, color),
            DiffFormat::Json => {
                let mut s = serde_json::to_string_pretty(diff).expect("plain data");
                s.push('\n');
                s
            }
            DiffFormat::Markdown => render_markdown(diff),
        }
    }
}

fn score(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

fn delta(old: Option<f64>, new: Option<f64>) -> String {
    match (old, new) {
        (Some(o), Some(n)) => format!("{:+.1}", n - o),
        _ => String::new(),
    }
}

fn status(s: Option<crate::check::Status>) -> &'static str {
    s.map_or("absent", |s| s.as_str())
}

fn headline(diff: &Diff) -> String {
    format!(
        "{} new failure(s), {} resolved, {} other change(s); score {} -> {} ({}), coverage {:.1}% -> {:.1}%",
        diff.new_failures.len(),
        diff.resolved.len(),
        diff.changed.len(),
        score(diff.old.score),
        score(diff.new.score),
        delta(diff.old.score, diff.new.score),
        diff.old.coverage,
        diff.new.coverage,
    )
}

fn render_table(diff: &Diff, color: bool) -> String {
    let mut out = format!(
        "tomscan diff · {} · {} -> {}\n{}\n",
        clean(&diff.framework.title),
        diff.old.scanned_at.format("%Y-%m-%d %H:%M UTC"),
        diff.new.scanned_at.format("%Y-%m-%d %H:%M UTC"),
        headline(diff),
    );
    let moved: Vec<&SectionDelta> = diff.sections.iter().filter(|s| s.moved()).collect();
    if !moved.is_empty() {
        let mut t = table(
            &["TOM", "Section / measure", "Score", "Change", "Coverage"],
            color,
        );
        for s in moved {
            t.add_row(vec![
                Cell::new(clean(s.id.as_deref().unwrap_or("all"))),
                Cell::new(clean(&s.title)),
                Cell::new(format!("{} -> {}", score(s.old_score), score(s.new_score))),
                Cell::new(delta(s.old_score, s.new_score)),
                Cell::new(format!(
                    "{} -> {}",
                    score(s.old_coverage),
                    score(s.new_coverage)
                )),
            ]);
        }
        out.push('\n');
        out.push_str(&t.to_string());
        out.push('\n');
    }
    for (title, list) in [
        ("New failures", &diff.new_failures),
        ("Resolved failures", &diff.resolved),
        ("Other status changes", &diff.changed),
    ] {
        if list.is_empty() {
            continue;
        }
        let mut t = table(
            &[
                "Change", "Check", "TOM", "Severity", "Account", "Region", "Resource", "Finding",
            ],
            color,
        );
        for c in list {
            t.add_row(vec![
                change_cell(c),
                Cell::new(clean(&c.check_id)),
                Cell::new(clean(&c.sections.join(" "))),
                Cell::new(c.severity.as_str()),
                Cell::new(clean(&c.account)),
                Cell::new(clean(&c.region)),
                Cell::new(clean(short_resource(&c.resource))),
                Cell::new(clean(&c.message)),
            ]);
        }
        let _ = write!(out, "\n{title} ({}):\n{t}\n", list.len());
    }
    out
}

fn change_cell(c: &Change) -> Cell {
    let text = format!("{} -> {}", status(c.from), status(c.to));
    match c.to {
        Some(s) => colored(Cell::new(text), s),
        None => Cell::new(text),
    }
}

fn render_markdown(diff: &Diff) -> String {
    let mut out = format!(
        "# TOM posture: what changed\n\n{}: {} -> {}.\n\n**{}**\n",
        esc(&diff.framework.title),
        diff.old.scanned_at.format("%Y-%m-%d %H:%M UTC"),
        diff.new.scanned_at.format("%Y-%m-%d %H:%M UTC"),
        esc(&headline(diff)),
    );
    let moved: Vec<&SectionDelta> = diff.sections.iter().filter(|s| s.moved()).collect();
    if !moved.is_empty() {
        out.push_str(
            "\n| TOM | Section / measure | Score | Change | Coverage |\n|---|---|--:|--:|--:|\n",
        );
        for s in moved {
            let _ = writeln!(
                out,
                "| {} | {} | {} -> {} | {} | {} -> {} |",
                esc(s.id.as_deref().unwrap_or("all")),
                esc(&s.title),
                score(s.old_score),
                score(s.new_score),
                delta(s.old_score, s.new_score),
                score(s.old_coverage),
                score(s.new_coverage),
            );
        }
    }
    for (title, list) in [
        ("New failures", &diff.new_failures),
        ("Resolved failures", &diff.resolved),
        ("Other status changes", &diff.changed),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "\n## {title} ({})\n\n| Change | Check | TOM | Severity | Account | Region | Resource | Finding |\n|---|---|---|---|---|---|---|---|\n",
            list.len()
        );
        for c in list {
            let _ = writeln!(
                out,
                "| {} -> {} | {} | {} | {} | {} | {} | {} | {} |",
                status(c.from),
                status(c.to),
                esc(&c.check_id),
                esc(&c.sections.join(", ")),
                c.severity.as_str(),
                esc(&c.account),
                esc(&c.region),
                if c.resource.is_empty() {
                    "-".to_string()
                } else {
                    format!("`{}`", code(&c.resource))
                },
                esc(&c.message),
            );
        }
    }
    out
}
