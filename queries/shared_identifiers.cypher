// Shared identifiers: persons and accounts that use the same phone number, e-mail address or
// device.
//
// Purpose:    every identifier node (any label: Phone, Email, Device, ...) reached by USES
//             edges from persons or accounts of two or more different persons or companies
//             (an account counts as its holder), with who they are and which of them are
//             suspects or identified victims; victims first.
// Parameters: none. Needs the case to declare USES edges from Person or Account to labelled
//             identifier tables in case.toml (docs/data-model.md, "Extra labelled tables").
// Why:        a controller who keeps the victims' phones, opens their accounts with his own
//             e-mail address or banks for them from his device leaves the same identifier on
//             all of them: a classic trafficking signal that links victims' accounts to the
//             person who takes their earnings, before any money moves.
MATCH (u)-[:USES]->(x)
OPTIONAL MATCH (h)-[:HOLDS]->(u)
WITH x, u, coalesce(h, u) AS who
WITH x, collect(DISTINCT u) AS users, collect(DISTINCT who) AS entities
WHERE size(entities) >= 2
WITH x, users, entities,
     [e IN entities WHERE e.suspect = true | e.id] AS suspects,
     [e IN entities WHERE e.victim = true | e.id] AS victims
RETURN labels(x)[0] AS kind, x.id AS identifier, size(entities) AS entities_sharing,
       size(victims) AS n_victims, suspects, victims, [e IN entities | e.id] AS entities,
       [u IN users | u.id] AS users
ORDER BY n_victims DESC, entities_sharing DESC, identifier
