// Ultimate beneficial owners of a company.
//
// Purpose:    every natural person who owns $company directly or through a chain of up to six
//             companies, with the effective share (product of the shares along each chain, summed
//             over chains: the multiplication test) and whether any link is a nominee holding.
// Parameters: $company  external id of the company, e.g. C00031.
// Why:        AMLD4 art. 3(6) names as beneficial owner whoever holds more than 25%, directly or
//             indirectly (docs/methodology.md#bo-thresholds); assets held by a company count towards its owners'
//             confiscable value only through this share.
MATCH p = (o:Person)-[rs:OWNS*1..6]->(c:Company {id: $company})
WITH o, c, p, reduce(x = 1, r IN rs | x * r.share) AS chain_share, any(r IN rs WHERE r.nominee) AS via_nominee
RETURN c.id AS company, o.id AS owner, o.full_name AS name, sum(chain_share) AS effective_share,
       sum(chain_share) > 0.25 AS above_25_percent, count(p) AS chains, max(length(p)) AS longest_chain,
       max(via_nominee) AS via_nominee
ORDER BY effective_share DESC, owner
