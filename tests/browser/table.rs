//! The README's table of what each engine did, scenario by scenario.
//!
//! Each engine's test checks its own column against what the engine just did;
//! with `UPDATE_BROWSER_TABLE=1` it rewrites that column instead.

use super::engine::Engine;
use std::path::PathBuf;
use std::sync::Mutex;

const START: &str = "<!-- browser-table:start -->";
const END: &str = "<!-- browser-table:end -->";

/// The three engines' tests run at once; one of them writes the README at a time.
static README: Mutex<()> = Mutex::new(());

fn readme() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

/// The table's rows: scenario name and one cell per engine.
fn parse(table: &str) -> Vec<(String, Vec<String>)> {
    table
        .lines()
        .filter(|line| line.starts_with("| `"))
        .filter_map(|line| {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_owned())
                .collect();
            let (name, rest) = cells.split_first()?;
            Some((name.trim_matches('`').to_owned(), rest.to_vec()))
        })
        .collect()
}

fn render(rows: &[(String, Vec<String>)]) -> String {
    let mut out = String::from("| scenario |");
    for engine in Engine::ALL {
        out.push_str(&format!(" {} |", engine.name()));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Engine::ALL.len()));
    out.push('\n');
    for (name, cells) in rows {
        out.push_str(&format!("| `{name}` | {} |\n", cells.join(" | ")));
    }
    out
}

/// Checks (or, with `UPDATE_BROWSER_TABLE=1`, writes) `engine`'s column.
pub fn check(engine: Engine, cells: &[(&str, String)]) -> Result<(), String> {
    let _one_at_a_time = README.lock().unwrap_or_else(|e| e.into_inner());
    let path = readme();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("README.md: {e}"))?;
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        return Err(format!("README.md has no {START} … {END} table"));
    };
    let body = &text[start + START.len()..end];
    let column = Engine::ALL
        .iter()
        .position(|&e| e == engine)
        .expect("an engine");
    let old = parse(body);
    let in_readme = |name: &str| {
        old.iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, row)| row.get(column))
            .map(String::as_str)
    };
    // The table as it should be: this engine's column from this run, the
    // others' as the README has them, one row per scenario in order.
    let rows: Vec<(String, Vec<String>)> = cells
        .iter()
        .map(|(name, cell)| {
            let mut row = old
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, row)| row.clone())
                .unwrap_or_default();
            row.resize(Engine::ALL.len(), "not run".to_owned());
            row[column] = cell.clone();
            ((*name).to_owned(), row)
        })
        .collect();
    let table = render(&rows);
    if std::env::var("UPDATE_BROWSER_TABLE").is_ok_and(|v| v == "1") {
        let updated = format!("{}{START}\n{table}{}", &text[..start], &text[end..]);
        return std::fs::write(&path, updated).map_err(|e| format!("README.md: {e}"));
    }
    let mut wrong = Vec::new();
    for (name, cell) in cells {
        if in_readme(name) != Some(cell.as_str()) {
            wrong.push(format!(
                "`{name}`: the README says {:?}, {} did {cell:?}",
                in_readme(name),
                engine.name()
            ));
        }
    }
    if wrong.is_empty() && body.trim() != table.trim() {
        wrong.push(format!(
            "the table's header, rows or their order differ from\n{table}"
        ));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the README's browser table is out of date for {} (run the test with \
             UPDATE_BROWSER_TABLE=1 to rewrite its column):\n  {}",
            engine.name(),
            wrong.join("\n  ")
        ))
    }
}
