//! IBAN check digits (ISO 13616, mod 97), shared by ingest (validation) and the generator.

/// True when `iban` (spaces ignored, any case) has 15 to 34 alphanumerics and its check digits
/// verify under ISO 13616 mod 97.
pub fn iban_valid(iban: &str) -> bool {
    let s: String = iban.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if s.len() < 15 || s.len() > 34 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let (head, tail) = s.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::iban_valid;

    #[test]
    fn published_examples_verify_and_typos_do_not() {
        // Examples from the national IBAN registries.
        assert!(iban_valid("AL47212110090000000235698741"));
        assert!(iban_valid("AL47 2121 1009 0000 0002 3569 8741"));
        assert!(iban_valid("IT60X0542811101000000123456"));
        assert!(iban_valid("GB29NWBK60161331926819"));
        assert!(!iban_valid("AL47212110090000000235698742"));
        assert!(!iban_valid("AL4721211009"));
        assert!(!iban_valid("AL47-2121-1009-0000-0002-3569-8741"));
    }
}
