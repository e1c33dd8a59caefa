// Account holders sharing an address.
//
// Purpose:    addresses given by two or more different persons who hold accounts, with the
//             persons and their accounts.
// Parameters: none.
// Why:        several account holders registered at one flat is how controllers keep victims'
//             accounts under their eye (shared address, phone or e-mail, FinCEN 2020 advisory);
//             it is cheap to check and links otherwise unrelated accounts.
MATCH (p:Person)-[:HOLDS]->(a:Account)
WHERE p.address IS NOT NULL
WITH p.address AS address, p.city AS city, collect(DISTINCT p.id) AS persons, collect(a.id) AS accounts
WHERE size(persons) >= 2
RETURN address, city, size(persons) AS n_persons, persons, accounts
ORDER BY n_persons DESC, address
