// Persons and companies holding several accounts.
//
// Purpose:    every holder of two or more accounts, with the accounts, their banks and the
//             money that went through them.
// Parameters: none.
// Why:        controllers open or take over several accounts (often in several banks) to spread
//             deposits below reporting thresholds; victims' accounts held or operated by one
//             person are a classic trafficking signal (docs/methodology.md#t-victim-control).
MATCH (h)-[:HOLDS]->(a:Account)
WITH h, collect(a) AS accounts, count(DISTINCT a.bank) AS banks, collect(DISTINCT a.bank) AS bank_names
WHERE size(accounts) >= 2
RETURN h.id AS holder, labels(h)[0] AS kind, size(accounts) AS n_accounts, banks,
       [x IN accounts | x.id] AS accounts, bank_names
ORDER BY n_accounts DESC, banks DESC, holder
