//! The fenced blocks of a Markdown text, as CommonMark reads them: fences
//! of three or more backticks or tildes, indented up to a list item's
//! indentation, closed by a fence of the same character at least as long.
//! Shared by `build.rs` and the listing test, so both see the same blocks.

/// One fenced block.
pub struct Block {
    /// The line of the opening fence, from 1.
    pub line: usize,
    /// The info string: `rust`, `rust,no_run`, `text`, ...
    pub info: String,
    /// The lines inside, with the fence's indentation removed.
    pub body: String,
}

/// Every fenced block of `text`.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let trimmed = line.trim_start();
        let Some(fence) = ['`', '~'].into_iter().find(|c| trimmed.starts_with(*c)) else {
            continue;
        };
        let len = trimmed.chars().take_while(|c| *c == fence).count();
        if len < 3 {
            continue;
        }
        let info = trimmed[len..].trim().to_owned();
        let indent = line.len() - trimmed.len();
        let mut body = String::new();
        for (_, inner) in lines.by_ref() {
            let inner_trimmed = inner.trim_start();
            let closing = inner_trimmed.chars().take_while(|c| *c == fence).count();
            if closing >= len && inner_trimmed[closing..].trim().is_empty() {
                break;
            }
            body.push_str(inner.get(indent..).unwrap_or(inner_trimmed));
            body.push('\n');
        }
        found.push(Block {
            line: number + 1,
            info,
            body,
        });
    }
    found
}

/// Whether `body` declares a test function: an attribute whose path ends
/// in `test` (`#[test]`, `#[actix_web::test]`, `#[ ::tokio::test ]`).
pub fn has_tests(body: &str) -> bool {
    body.lines().any(|line| {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        compact.starts_with("#[")
            && (compact.starts_with("#[test]")
                || compact.starts_with("#[test(")
                || compact.contains("::test]")
                || compact.contains("::test("))
    })
}

/// Whether rustdoc compiles and links the block as a program: the info
/// strings the README allows for that.
pub fn is_compiled(info: &str) -> bool {
    matches!(info, "rust" | "rust,no_run")
}
