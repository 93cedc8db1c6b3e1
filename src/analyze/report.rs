//! The finished report: named tables of typed cells, in the order and with the columns of the registry
//! ([`super::catalog::TABLES`], documented in `docs/REPORTS.md`). Output formats only render it.

/// The schema version written in JSON output; bumped when a table or column changes meaning.
pub(crate) const SCHEMA_VERSION: u32 = 2;

/// The label of the row that folds rare rows.
pub(crate) const OTHER: &str = "(other)";

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count.
    Int(u64),
    /// A ratio or mean, written with two decimals.
    Float(f64),
}

impl Cell {
    /// The cell as CSV/terminal text.
    pub fn render(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Float(f) => format!("{f:.2}"),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::Int(n)
    }
}

impl From<f64> for Cell {
    fn from(f: f64) -> Cell {
        Cell::Float(f)
    }
}

/// One table: a name (the CSV file is `NAME.csv`), its columns, and its rows in output order.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table name.
    pub name: &'static str,
    /// Column names.
    pub columns: &'static [&'static str],
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The rows as text (for tests and the terminal).
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| r.iter().map(Cell::render).collect())
            .collect()
    }
}

/// All tables of a report, `summary` first.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The tables in their fixed order.
    pub tables: Vec<Table>,
}

impl Report {
    /// The table called `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// The names of all tables, in output order: those of the registry, `super::catalog::TABLES`.
pub const TABLE_NAMES: &[&str] = &super::catalog::NAMES;
