//! Helpers shared by the case-folder tests.

use std::path::Path;

const HEADERS: &[(&str, &str)] = &[
    ("persons.csv", "person_id,full_name,birth_date,national_id,address,city"),
    ("companies.csv", "company_id,name,nuis,legal_form,registered_address,city,incorporated_on,dissolved_on,employees"),
    ("accounts.csv", "account_id,iban,bank,holder_id,opened_on,closed_on,currency"),
    ("transfers.csv", "txn_id,booked_at,from_account,to_account,amount,currency,channel,reference,branch_city"),
    (
        "properties.csv",
        "property_id,cadastral_code,kind,city,zone,area_m2,market_value,cadastral_value,value_currency,valued_on",
    ),
    ("property_titles.csv", "property_id,owner_id,share,acquired_on,price,currency,disposed_on,payment_txn_ids"),
    ("encumbrances.csv", "property_id,creditor_id,amount,currency,registered_on,released_on"),
    ("company_ownership.csv", "company_id,holder_id,role,share,from,to"),
    ("relations.csv", "person_id,related_id,kind"),
    ("income.csv", "entity_id,year,amount,currency,source"),
    ("suspects.csv", "entity_id,basis,case_ref,since"),
    ("fx_rates.csv", "date,currency,rate"),
];

/// Writes a case folder: every table with its header and the rows given for it.
pub fn write_case(dir: &Path, valuation: &str, rows: &[(&str, &[&str])]) {
    std::fs::write(
        dir.join("case.toml"),
        format!(
            "name = \"hand-written\"\nbase_currency = \"ALL\"\nvaluation_date = \"{valuation}\"\n[thresholds]\ncash_report = \"1000000\"\n"
        ),
    )
    .unwrap();
    for (file, header) in HEADERS {
        let mut text = format!("{header}\n");
        for (f, rs) in rows {
            if f == file {
                for r in *rs {
                    text.push_str(r);
                    text.push('\n');
                }
            }
        }
        std::fs::write(dir.join(file), text).unwrap();
    }
}
