//! Stage 1 of the query pipeline: text to syntax tree. The lexer turns the text into tokens with
//! line and column, a recursive-descent parser reads clauses, projections and path patterns
//! (`parser.rs`, `pattern.rs`), expressions by precedence climbing (`expr.rs`), into the tree of
//! `ast.rs`. Nesting and size are bounded so hostile text cannot overflow the stack.
//!
//! Depends on `query::common` (errors, literal values) only: never on `plan` or `exec`, and it
//! knows nothing of a case.

pub mod ast;
mod expr;
mod lexer;
mod parser;
mod pattern;

pub use parser::parse;
