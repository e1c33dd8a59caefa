//! The workspace's static files, embedded in the binary: its own script and style sheet, and
//! Cytoscape.js from the npm registry with its licence (assets/vendor/README.md). Only these
//! names are served; any other path under /assets/ is 404, so no request reaches the file system.

/// (name under /assets/, content type, bytes).
pub const FILES: &[(&str, &str, &[u8])] = &[
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("assets/app.js")),
    ("app.css", "text/css; charset=utf-8", include_bytes!("assets/app.css")),
    ("vendor/cytoscape.min.js", "text/javascript; charset=utf-8", include_bytes!("assets/vendor/cytoscape.min.js")),
    ("vendor/cytoscape.LICENSE", "text/plain; charset=utf-8", include_bytes!("assets/vendor/cytoscape.LICENSE")),
];

/// The embedded file `name`, if it is one.
pub fn get(name: &str) -> Option<(&'static str, &'static [u8])> {
    FILES.iter().find(|(n, _, _)| *n == name).map(|(_, t, b)| (*t, *b))
}

/// The queries/ library of the project, embedded: (file name, text).
pub const LIBRARY: &[(&str, &str)] = &[
    ("cash_dispersion.cypher", include_str!("../../queries/cash_dispersion.cypher")),
    ("cycle.cypher", include_str!("../../queries/cycle.cypher")),
    ("fan_in.cypher", include_str!("../../queries/fan_in.cypher")),
    ("funders_of_account.cypher", include_str!("../../queries/funders_of_account.cypher")),
    ("money_to_property.cypher", include_str!("../../queries/money_to_property.cypher")),
    ("mule_chains.cypher", include_str!("../../queries/mule_chains.cypher")),
    ("relatives_property.cypher", include_str!("../../queries/relatives_property.cypher")),
    ("scatter_gather.cypher", include_str!("../../queries/scatter_gather.cypher")),
    ("shared_addresses.cypher", include_str!("../../queries/shared_addresses.cypher")),
    ("shared_holders.cypher", include_str!("../../queries/shared_holders.cypher")),
    ("shared_identifiers.cypher", include_str!("../../queries/shared_identifiers.cypher")),
    ("structuring.cypher", include_str!("../../queries/structuring.cypher")),
    ("ubo.cypher", include_str!("../../queries/ubo.cypher")),
];
