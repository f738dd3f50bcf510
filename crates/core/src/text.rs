//! Small text helpers shared by the rules that write Swedish.

/// "Regionstyrelsen" -> "regionstyrelsen", for a body named inside a sentence.
pub fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Joins names as Swedish prose does: "A", "A och B", "A, B och C".
pub fn join_sv(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} och {last}", init.join(", ")),
    }
}

/// The Swedish genitive of a name: "Mikaela Walterssons", "Per Persson" ->
/// "Per Perssons", but "Lars" -> "Lars" (a name ending in s, x or z takes no
/// extra s).
pub fn genitive(name: &str) -> String {
    if name.ends_with(['s', 'x', 'z', 'S', 'X', 'Z']) {
        name.to_string()
    } else {
        format!("{name}s")
    }
}

/// The paragraph list of a protocol: "§1", "§§5-15", "§§1-3, 5".
pub fn paragraph_span(ranges: &[(u32, u32)]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|&(a, b)| {
            if a == b {
                format!("{a}")
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    let single = ranges.len() == 1 && ranges[0].0 == ranges[0].1;
    format!("{}{}", if single { "§" } else { "§§" }, parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genitive_adds_s_unless_the_name_ends_in_a_sibilant() {
        assert_eq!(genitive("Mikaela Waltersson"), "Mikaela Walterssons");
        assert_eq!(
            genitive("Lise-Lotte Bensköld Olsson"),
            "Lise-Lotte Bensköld Olssons"
        );
        assert_eq!(genitive("Lars"), "Lars");
        assert_eq!(genitive("Felix"), "Felix");
    }

    #[test]
    fn joins_and_spans() {
        assert_eq!(lower_first("Regionfullmäktige"), "regionfullmäktige");
        assert_eq!(lower_first("Ärendet"), "ärendet");
        let names: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        assert_eq!(join_sv(&names[..1]), "A");
        assert_eq!(join_sv(&names[..2]), "A och B");
        assert_eq!(join_sv(&names), "A, B och C");
        assert_eq!(paragraph_span(&[(3, 3)]), "§3");
        assert_eq!(paragraph_span(&[(5, 15)]), "§§5-15");
        assert_eq!(paragraph_span(&[(1, 3), (5, 5)]), "§§1-3, 5");
    }
}
