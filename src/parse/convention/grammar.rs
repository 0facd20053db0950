//! The wording of convention statements, French and Dutch in one grammar.
//!
//! Both languages say the same things in the same order of ideas, so each
//! statement is one pattern whose words are alternatives: "pour les
//! prestations" | "voor de verstrekkingen", "sont portés à" | "worden ...
//! gebracht". The patterns run on the joined text (see [`super::text`]):
//! single spaces, plain apostrophes, any letter case in the prose words.

use std::sync::LazyLock;

use regex::Regex;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

/// A written date: `1er juillet 2021`, `1 januari 2023`, `1er janv. 2025`.
pub const DATE: &str = r"\d{1,2}(?:er|re|ste|de|e)?\s+\p{L}+\.?\s+\d{4}";
/// An amount as prose writes it: `25`, `20,08`, `1 610,68`.
pub const AMOUNT: &str = r"\d+(?:[,.]\d+)?";
/// The word for euros after an amount.
pub const EURO: &str = r"(?:euros?|EUR|€)";
/// A code list as it may be written, loosely: six-digit codes, but also what
/// a misprint or OCR makes of them (five or seven digits, `O` for `0`), so
/// that a bad code is reported where it is instead of ending the list early.
pub const CODES: &str = r"\d[0-9OoIl]{3,7}(?:\s*[-–]\s*[0-9OoIl]{4,8})?(?:\s*(?:,|\bet\b|\ben\b|\bou\b|\bof\b)\s*,?\s*\d[0-9OoIl]{3,7}(?:\s*[-–]\s*[0-9OoIl]{4,8})?)*";
/// "the services" in both languages, singular or plural.
pub const SERVICES: &str = r"(?:les prestations|la prestation|des prestations|de la prestation|de verstrekkingen|de verstrekking|van de verstrekkingen|van de verstrekking)";
/// A bullet opening a list item.
pub const BULLET: &str = r"[-–—•·*]";

/// "la valeur du facteur de multiplication M est fixée à :" and its Dutch
/// "wordt de waarde van de vermenigvuldigingsfactor M vastgesteld op:", with
/// whatever date phrase stands around it in the same sentence.
pub static KEY_VALUE_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?P<before>[^.:;]{0,200}?)\b(?:la valeur (?:du facteur de multiplication|de la lettre[- ]cl(?:é|e)f?)|de waarde van de (?:vermenigvuldigingsfactor|sleutelletter))\s+(?-i:(?P<letter>[A-Z]))\b(?P<after>[^.:;]{0,200}?)\s*:",
    )
});

/// The verb that makes a heading of a sentence naming a key value and ending in `:`.
pub static HEADING_VERB: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:fixée?s?|établie?s?|s'élève|vastgesteld|bedraagt|is)\b"));

/// What a list item says once its bullet is gone: value, "pour les
/// prestations", codes.
pub static KEY_VALUE_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?P<value>\S+)\s+(?:pour|voor)\s+(?P<noun>les prestations|la prestation|de verstrekkingen|de verstrekking)\s+(?P<codes>.*?)\s*[;.]?\s*(?:\b(?:et|en|ou|of)\b)?\s*$",
    )
});

/// A key value as written in a list: `0,927692` (a point is read too).
pub static KEY_VALUE_NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"^\d+[,.]\d+$"));

/// "les honoraires des prestations ... (prestations M 24 ...) sont portés à
/// 25 euros" | "worden de honoraria van de verstrekkingen ... (verstrekkingen
/// M 24 ...) op 25 euro gebracht".
pub static STATED_FEE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:les honoraires|l'honoraire|de honoraria|het honorarium)\s+{SERVICES}\s+(?P<codes>{CODES})\s*(?:\((?P<paren>[^)]*)\))?(?P<gap>[^.]{{0,120}}?)\b(?P<amount>{AMOUNT})\s*{EURO}(?P<tail>[^.]{{0,120}})"
    ))
});

/// The verb that makes a fee statement of a sentence naming fees and an amount.
pub static FEE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:portée?s?|fixée?s?|augmentée?s?|s'élèvent|s'élève|gebracht|vastgesteld|verhoogd|bedragen|bedraagt)\b",
    )
});

/// `prestations M 24` inside the parenthesis of a stated fee.
pub static RELATIVE_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:prestations?|verstrekking(?:en)?)\s+(?-i:(?P<letter>[A-Z]))\s?(?P<value>{AMOUNT})\b"
    ))
});

/// "un honoraire de 25 euros pour les prestations ..." | "een honorarium van
/// 25 euro voor de verstrekkingen ...".
pub static OPEN_FEE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:un honoraire de|een honorarium van)\s+(?P<amount>{AMOUNT})\s*{EURO}\s*(?:soit fixé\s+|wordt vastgesteld\s+|is vastgesteld\s+)?(?:pour|voor)\s+{SERVICES}\s+(?P<codes>{CODES})"
    ))
});

/// A date left open: "à partir de la date de leur introduction dans la
/// nomenclature" | "vanaf de datum van hun opname in de nomenclatuur".
pub static OPEN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)date de leur (?:introduction|insertion|intégration)|datum van (?:hun|de) (?:opname|invoering|inschrijving)",
    )
});

/// "L'indemnité s'élève à 6,50 euro pour les prestations ..." | "De
/// vergoeding bedraagt 6,50 euro voor de verstrekkingen ...".
pub static INDEMNITY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:l'indemnité|la vergoeding|de vergoeding|de verplaatsingsvergoeding|deze vergoeding)\s+(?:(?:s'élève à|est fixée à|est de|bedraagt|wordt vastgesteld op|is vastgesteld op)\s+(?P<amount>{AMOUNT})\s*{EURO}\s+(?:pour|voor)\s+{SERVICES}\s+(?P<codes>{CODES})|(?:pour|voor)\s+{SERVICES}\s+(?P<codes2>{CODES})[^.]{{0,60}}?\b(?:s'élève à|est fixée à|est de|bedraagt|wordt vastgesteld op|is vastgesteld op)\s+(?P<amount2>{AMOUNT})\s*{EURO})"
    ))
});

/// "pseudocode 639855 (ambulant) – 639866 (hospitalisé)", within the next sentence.
pub static PSEUDOCODES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:du|le|de|het)?\s*pseudocodes?\s+(?P<first>\d{6})(?:\s*\((?:ambulant|ambulatoire)\))?(?:\s*[–—-]\s*(?P<second>\d{6})(?:\s*\([^)]*\))?)?",
    )
});

/// A row of the pseudocode table: "562671 3,74 EUR Par prestation, de la
/// 1ère à la 9ème prestation de 560011, ..." | "... Per verstrekking, van de
/// 1ste tot de 9de verstrekking van ...".
pub static TABLE_INDEMNITY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?P<first>\d{{6}})(?:\s*-\s*(?P<second>\d{{6}}))?\s+(?P<amount>{AMOUNT})\s*{EURO}\s+(?:par prestation|per verstrekking)[^.]{{0,80}}?\b(?:prestation de|verstrekking van)\s+(?P<codes>{CODES})"
    ))
});

/// § 4: "à maximum 1,13 euros, sauf la prestation 564211 pour laquelle
/// l'indemnité est de maximum 1,31 euros" | "met maximum 1,13 euro, behalve
/// de verstrekking 564211 waarvoor de vergoeding maximum 1,31 euro bedraagt".
pub static TRAVEL_MAXIMUM: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\bmaximum (?P<usual>{AMOUNT})\s*{EURO}[^.]{{0,60}}?\b(?:sauf|behalve|met uitzondering van)\s+(?:pour\s+|voor\s+)?{SERVICES}\s+(?P<code>\d{{6}})\s*,?\s*(?:pour laquelle|waarvoor)[^.]{{0,60}}?maximum (?P<exception>{AMOUNT})\s*{EURO}"
    ))
});

/// A § 4 clause: "Pour les prestations ... cette indemnité sera attestée au
/// moyen du pseudocode 639170" | "Voor de verstrekkingen ... wordt deze
/// vergoeding geattesteerd met de pseudocode 639170".
pub static TRAVEL_CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:pour|voor)\s+(?:les|la|de)\s+(?:prestations?|verstrekking(?:en)?)\s+(?P<codes>[^.]*?)\b(?:cette indemnité|l'indemnité|deze vergoeding|de vergoeding)[^.]*?\bpseudocode\s+(?P<pseudo>\d{6})",
    )
});

/// Where § 4's clauses end: "Dans tous les cas, le pseudocode ..." | "In alle gevallen".
pub static TRAVEL_END: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bdans tous les cas\b|\bin alle gevallen\b|§\s*5\b"));

/// How much of an indemnity is paid back.
pub static RATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?P<none>n'est pas remboursée?|ne sont pas remboursée?s|niet terugbetaald|geen terugbetaling)|(?P<full>intégralement remboursée?s?|remboursée?s? intégralement|entièrement remboursée?s?|volledig terugbetaald|integraal terugbetaald)|(?:remboursée?s? (?:à|à raison de|pour)|terugbetaald (?:ten belope van|tegen|voor|a rato van)|vergoed (?:ten belope van|tegen))\s*(?P<first>\d+)\s?%(?P<between>[^.%]{0,120}?)\b(?:et|en)\s+(?:à\s+|ten belope van\s+|tegen\s+)?(?P<second>\d+)\s?%(?P<after>[^.%]{0,60})",
    )
});

/// Words that say a rate is for beneficiaries without the preferential regime.
pub static STANDARD_WORDS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)non[- ]préférentiel|sans régime|zonder voorkeur"));

/// Where a section begins (`§ 5`, `Art. 4.`), bounding what a rate applies to.
pub static SECTION: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|\s)(?:§\s*\d+(?:er)?\.?\s+\p{Lu}|Art(?:icle|ikel)?\.?\s+\d+\s*\.)"));

/// "à partir du 1er juillet 2021" | "vanaf 1 juli 2021" | "met ingang van ...".
pub static FROM_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:à partir du|a partir du|dès le|à dater du|vanaf|met ingang van)\s+(?P<date>{DATE})"
    ))
});

/// "de l'entrée en vigueur de la présente convention" | "de inwerkingtreding
/// van deze overeenkomst": the start of the document.
pub static FROM_START: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)entrée en vigueur d[eu] (?:la |le )?présente?|inwerkingtreding van (?:deze|dit|de)")
});

/// A code as it stands in prose (for the accounting of statements).
/// The code is group 1: the digits of a decimal (`0,826875`) are no code.
pub static CODE_TOKEN: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|[^\d,.])(\d{6})(?:[^\d]|$)"));

/// An amount in euros or a key value (for the accounting of statements).
pub static AMOUNT_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b\d+(?:[,.]\d+)?\s*(?:euros?|EUR)\b|\d(?:[,.]\d+)?\s*€|\b\d[,.]\d{6}\b")
});
