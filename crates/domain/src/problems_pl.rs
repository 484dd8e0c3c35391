//! The server's problems in Polish, for the `rops` client and the pages: `rows[3].indicator` becomes "wiersz 3, kolumna
//! indicator", and the messages the server is known to write are translated. A message of
//! another shape is shown as the server wrote it.

/// Where a problem lies, in words: `rows[3].value` → `wiersz 3, kolumna value`.
pub fn field(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("rows[") {
        if let Some((line, column)) = rest.split_once(']') {
            if line.bytes().all(|b| b.is_ascii_digit()) && !line.is_empty() {
                return match column.strip_prefix('.') {
                    Some(c) if !c.is_empty() => format!("wiersz {line}, kolumna {c}"),
                    _ => format!("wiersz {line}"),
                };
            }
        }
    }
    if let Some(code) = field.strip_prefix("values.") {
        return format!("wskaźnik {code}");
    }
    match field {
        "file" => "plik".to_owned(),
        "period" => "okres".to_owned(),
        "errors" | "warnings" => "pozostałe".to_owned(),
        other => other.to_owned(),
    }
}

/// A problem's title in Polish, or as sent.
pub fn title(title: &str) -> String {
    match title {
        "Authentication required" => "Wymagane uwierzytelnienie",
        "Not allowed" => "Brak uprawnień",
        "Not found" => "Nie znaleziono",
        "Method not allowed" => "Niedozwolona metoda",
        "Malformed request" => "Nieprawidłowe żądanie",
        "Request body too large" => "Za duży plik lub treść żądania",
        "Unsupported media type" => "Nieobsługiwany rodzaj pliku",
        "Conflict with the current state" => "Sprzeczne z obecnym stanem",
        "Precondition failed" => "Dane zmieniły się w międzyczasie",
        "Unprocessable input" => "Nieprawidłowe dane",
        "Request body too slow" => "Przesyłanie trwało zbyt długo",
        "Too many requests" => "Za dużo żądań naraz",
        "Service unavailable" => "Usługa chwilowo niedostępna",
        "Internal error" => "Błąd serwera",
        other => other,
    }
    .to_owned()
}

/// A message in Polish when its shape is known; the server's text otherwise. A leading
/// `line 3, value: ` (already said by [`field`]) is dropped.
pub fn message(message: &str) -> String {
    let body = strip_line(message);
    translate(body).unwrap_or_else(|| body.to_owned())
}

/// `line 3, value: …` and `line 1: …` → `…`.
fn strip_line(message: &str) -> &str {
    let Some(rest) = message.strip_prefix("line ") else {
        return message;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return message;
    }
    let rest = &rest[digits..];
    if let Some(after) = rest.strip_prefix(": ") {
        return after;
    }
    if let Some(after) = rest.strip_prefix(", ") {
        if let Some((_, text)) = after.split_once(": ") {
            return text;
        }
    }
    message
}

/// Splits `text` around the literal pieces of a pattern, in order: `parts(t, &["", " is
/// negative; values are 0 or more"])` gives the text before the suffix.
fn parts<'a>(text: &'a str, pieces: &[&str]) -> Option<Vec<&'a str>> {
    let (first, rest) = pieces.split_first()?;
    let mut text = text.strip_prefix(first)?;
    let mut out = Vec::new();
    for (i, piece) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        if last && piece.is_empty() {
            out.push(text);
            return Some(out);
        }
        let at = if last {
            text.len()
                .checked_sub(piece.len())
                .filter(|at| text[*at..] == **piece)?
        } else {
            text.find(piece)?
        };
        out.push(&text[..at]);
        text = &text[at + piece.len()..];
    }
    text.is_empty().then_some(out)
}

fn translate(m: &str) -> Option<String> {
    let fixed = match m {
        "is empty; write 0 when nothing happened" => {
            Some("pusta komórka; wpisz 0, gdy nic się nie wydarzyło")
        }
        "is empty; write an indicator code" => Some("pusta komórka; wpisz kod wskaźnika"),
        "the file has a header but no data rows" => {
            Some("plik ma nagłówek, ale nie ma wierszy z danymi")
        }
        "the file is empty" => Some("plik jest pusty"),
        "an adopted plan needs the council resolution number, e.g. XLV/512/2023" => {
            Some("przyjęty plan wymaga numeru uchwały rady, np. XLV/512/2023")
        }
        "an adopted plan needs the adoption date, YYYY-MM-DD" => {
            Some("przyjęty plan wymaga daty przyjęcia")
        }
        "an adopted plan needs its first year" => Some("przyjęty plan wymaga pierwszego roku"),
        "give a title of 1 to 300 characters" => Some("podaj tytuł, od 1 do 300 znaków"),
        "a link has no spaces and at most 2,000 characters" => {
            Some("link nie ma spacji i ma najwyżej 2000 znaków")
        }
        "an adopted plan needs its last year" => Some("przyjęty plan wymaga ostatniego roku"),
        "is required to submit: every indicator needs a value (0 when nothing happened)" => Some(
            "jest wymagany do złożenia: każdy wskaźnik musi mieć wartość (0, gdy nic się nie wydarzyło)",
        ),
        "the header must be `period,indicator,value` (one value per row) or `period` followed by indicator codes (one period per row)" => Some(
            "nagłówek musi mieć postać `period,indicator,value` (jedna wartość w wierszu) albo `period` i kody wskaźników (jeden okres w wierszu)",
        ),
        "a header of one value per row needs the columns `period`, `indicator` and `value` (or `okres`, `wskaźnik`, `wartość`)" => Some(
            "nagłówek z jedną wartością w wierszu potrzebuje kolumn `period`, `indicator` i `value` (albo `okres`, `wskaźnik`, `wartość`)",
        ),
        _ => None,
    };
    if let Some(f) = fixed {
        return Some(f.to_owned());
    }
    if let Some(p) = parts(m, &["OWES ", " is active ", "; ", " is outside"]) {
        let span = p[1]
            .replacen("from ", "od ", 1)
            .replacen(" to ", " do ", 1)
            .replace("in no quarter", "w żadnym kwartale");
        return Some(format!(
            "OWES {} działa {span}; {} jest poza tym okresem",
            p[0], p[2]
        ));
    }
    let shapes: &[(&[&str], &[&str])] = &[
        (
            &["unknown indicator `", "`; the indicators are: ", ""],
            &["nieznany wskaźnik `", "`; wskaźniki to: ", ""],
        ),
        (
            &["unknown indicator; the indicators are: ", ""],
            &["nieznany wskaźnik; wskaźniki to: ", ""],
        ),
        (&["`", "` is not a number"], &["`", "` nie jest liczbą"]),
        (
            &[
                "",
                " is in the future; give the date the council adopted the plan",
            ],
            &[
                "",
                " to data z przyszłości; podaj datę, w której rada przyjęła plan",
            ],
        ),
        (
            &["", " is in the future; record events once they took place"],
            &[
                "",
                " to data z przyszłości; wydarzenia zapisuje się, gdy już się odbyły",
            ],
        ),
        (
            &["", " is not a number of people (0 or more)"],
            &["", " nie jest liczbą osób (0 lub więcej)"],
        ),
        (
            &[
                "`",
                "` is not a web address; give an http:// or https:// link",
            ],
            &[
                "`",
                "` nie jest adresem strony; podaj link zaczynający się od http:// albo https://",
            ],
        ),
        (
            &["`", "` is not a date; write YYYY-MM-DD"],
            &["`", "` nie jest datą; wpisz RRRR-MM-DD"],
        ),
        (
            &["", " is not a plausible plan year (1990–2100)"],
            &["", " nie jest możliwym rokiem planu (1990–2100)"],
        ),
        (
            &["", " is before plan_from ", ""],
            &["", " jest wcześniej niż pierwszy rok planu, ", ""],
        ),
        (
            &["", " spans ", " years; a plan spans at most ", ""],
            &["", " to ", " lat; plan obejmuje najwyżej ", " lat"],
        ),
        (
            &["", " is negative; values are 0 or more"],
            &["", " jest ujemne; wartości muszą być równe 0 lub większe"],
        ),
        (
            &["", " is not a whole number; this indicator counts"],
            &["", " nie jest liczbą całkowitą; ten wskaźnik liczy sztuki"],
        ),
        (
            &[
                "",
                " has more than two decimals; amounts are in złoty with grosze",
            ],
            &[
                "",
                " ma więcej niż dwa miejsca po przecinku; kwoty podaje się w złotych z groszami",
            ],
        ),
        (
            &["", " is above the largest value accepted, ", ""],
            &["", " przekracza największą dopuszczalną wartość, ", ""],
        ),
        (
            &["", " is above ", " (", "); it may not exceed it"],
            &["", " przekracza ", " (", "); nie może być większe"],
        ),
        (
            &[
                "",
                " is above ",
                " (",
                "); a numerator never exceeds its denominator",
            ],
            &[
                "",
                " przekracza ",
                " (",
                "); licznik nie może przekraczać mianownika",
            ],
        ),
        (
            &["`", "` is computed as ", "; report those two instead"],
            &["`", "` jest wyliczany jako ", "; podaj te dwa wskaźniki"],
        ),
        (
            &["is computed as ", "; report those two instead"],
            &["jest wyliczany jako ", "; podaj te dwa wskaźniki"],
        ),
        (
            &["", " for ", " is already on line ", ""],
            &["", " za ", " jest już w wierszu ", ""],
        ),
        (
            &["has ", " cells; the header has ", ""],
            &["ma ", " komórek; nagłówek ma ", ""],
        ),
        (
            &["column ", " appears twice"],
            &["kolumna ", " występuje dwa razy"],
        ),
        (
            &[
                "column ",
                " is not one of period, indicator, value; its cells were ignored",
            ],
            &[
                "kolumna ",
                " nie jest żadną z kolumn period, indicator, value; jej komórki pominięto",
            ],
        ),
        (
            &[
                "column ",
                " is not an indicator code; its cells were ignored",
            ],
            &[
                "kolumna ",
                " nie jest kodem wskaźnika; jej komórki pominięto",
            ],
        ),
        (
            &[
                "column ",
                " has no header; its cells (from line ",
                " on) were ignored",
            ],
            &[
                "kolumna ",
                " nie ma nagłówka; jej komórki (od wiersza ",
                ") pominięto",
            ],
        ),
        (
            &[
                "quarter `",
                "` is not valid: a quarter written YYYY-Qn with n from 1 to 4, e.g. 2024-Q3",
            ],
            &[
                "`",
                "` nie jest kwartałem: kwartał zapisuje się RRRR-Qn, n od 1 do 4, np. 2024-Q3",
            ],
        ),
        (
            &[
                "",
                " has not started yet; reports are for periods that have begun",
            ],
            &[
                "",
                " jeszcze się nie zaczął; sprawozdania składa się za okresy, które już trwają",
            ],
        ),
        (
            &[
                "",
                " more problems are not listed; fix these and send it again",
            ],
            &[
                "",
                " kolejnych problemów nie wymieniono; popraw te i wyślij ponownie",
            ],
        ),
        (
            &["", " more warnings are not listed"],
            &["", " kolejnych uwag nie wymieniono"],
        ),
        (
            &[
                "the report of OWES ",
                " for ",
                " is approved and locked; an analyst must reopen it first",
            ],
            &[
                "sprawozdanie OWES ",
                " za ",
                " jest zatwierdzone i zablokowane; najpierw musi je otworzyć analityk",
            ],
        ),
        (
            &[
                "the report of OWES ",
                " for ",
                " is submitted and under review; an analyst must return it before it can change",
            ],
            &[
                "sprawozdanie OWES ",
                " za ",
                " jest złożone i w ocenie; zmienić je można, gdy analityk je zwróci",
            ],
        ),
    ];
    for (english, polish) in shapes {
        if let Some(found) = parts(m, english) {
            let mut out = polish[0].to_owned();
            for (i, piece) in found.iter().enumerate() {
                out.push_str(piece);
                out.push_str(polish[i + 1]);
            }
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_known_messages_read_in_polish() {
        assert_eq!(field("rows[3].indicator"), "wiersz 3, kolumna indicator");
        assert_eq!(field("rows[4]"), "wiersz 4");
        assert_eq!(field("values.jobs_created"), "wskaźnik jobs_created");
        assert_eq!(field("resolution_number"), "resolution_number");
        assert_eq!(
            message("line 3, indicator: unknown indicator `bogus`; the indicators are: a, b"),
            "nieznany wskaźnik `bogus`; wskaźniki to: a, b"
        );
        assert_eq!(
            message("line 2, value: -1 is negative; values are 0 or more"),
            "-1 jest ujemne; wartości muszą być równe 0 lub większe"
        );
        assert_eq!(
            message("line 2, jobs_created: `x` is not a number"),
            "`x` nie jest liczbą"
        );
        assert_eq!(
            message("2020–2035 spans 16 years; a plan spans at most 10"),
            "2020–2035 to 16 lat; plan obejmuje najwyżej 10 lat"
        );
        assert_eq!(
            message("2027-01-01 is in the future; give the date the council adopted the plan"),
            "2027-01-01 to data z przyszłości; podaj datę, w której rada przyjęła plan"
        );
        assert_eq!(
            message("an adopted plan needs its first year"),
            "przyjęty plan wymaga pierwszego roku"
        );
        assert_eq!(
            message("line 3, value: jobs_created for 2024-Q1 is already on line 2"),
            "jobs_created za 2024-Q1 jest już w wierszu 2"
        );
        assert_eq!(
            message("5 is above jobs_created (4); it may not exceed it"),
            "5 przekracza jobs_created (4); nie może być większe"
        );
        assert_eq!(
            message("line 1: column E (`uwagi`) is not one of period, indicator, value; its cells were ignored"),
            "kolumna E (`uwagi`) nie jest żadną z kolumn period, indicator, value; jej komórki pominięto"
        );
        assert_eq!(
            message("line 4, period: quarter `2024-Q5` is not valid: a quarter written YYYY-Qn with n from 1 to 4, e.g. 2024-Q3"),
            "`2024-Q5` nie jest kwartałem: kwartał zapisuje się RRRR-Qn, n od 1 do 4, np. 2024-Q3"
        );
        assert_eq!(
            message("OWES OWES-PN is active from 2023-Q3; 2023-Q1 is outside"),
            "OWES OWES-PN działa od 2023-Q3; 2023-Q1 jest poza tym okresem"
        );
        assert_eq!(
            message("something the client does not know"),
            "something the client does not know"
        );
    }
}
