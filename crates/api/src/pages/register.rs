//! The activity register in the browser (`/regions/{code}/events`): the region's events of a
//! year, and the form that adds one, changes one or withdraws it — the API's own register
//! writes, at the revision read.

use super::format;
use super::{page, Banner};
use maud::{html, Markup};
use rops_store::events::EventView;

/// The names the register shows beside codes: event types and subregions.
pub struct RegisterNames<'a> {
    pub types: &'a [(String, String)],
    pub subregions: &'a [(String, String)],
}

impl RegisterNames<'_> {
    fn of<'b>(list: &'b [(String, String)], code: &'b str) -> &'b str {
        list.iter()
            .find(|(c, _)| c == code)
            .map_or(code, |(_, n)| n.as_str())
    }
}

pub fn register(
    banner: &Banner<'_>,
    region: &str,
    year: i32,
    events: &[EventView],
    names: &RegisterNames<'_>,
    notice: Option<&str>,
) -> Markup {
    page(
        "Rejestr działań ROPS",
        Some(banner),
        html! {
            h1 { "Rejestr działań ROPS — " (year) }
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            p {
                a.button href=(format!("/regions/{region}/events/new")) { "Dodaj wydarzenie" }
                " "
                a href=(format!("/regions/{region}/events?year={}", year - 1)) { "← " (year - 1) }
                " · "
                a href=(format!("/regions/{region}/events?year={}", year + 1)) { (year + 1) " →" }
            }
            @if events.is_empty() { p { "Brak wydarzeń w tym roku." } }
            @else {
                div.table-scroll { table.figures.events {
                    thead { tr { th scope="col" { "Data" } th scope="col" { "Rodzaj" } th scope="col" { "Subregion" } th scope="col" { "Tytuł" } th scope="col" { "Uczestnicy" } th scope="col" { "Ostatnia zmiana" } } }
                    tbody {
                        @for e in events.iter().rev() {
                            tr data-event=(e.id) {
                                td { (chrono::NaiveDate::parse_from_str(&e.date, "%Y-%m-%d").map(format::date).unwrap_or_else(|_| e.date.clone())) }
                                td { (RegisterNames::of(names.types, &e.event_type)) }
                                td { (e.subregion.as_deref().map_or("cały region", |s| RegisterNames::of(names.subregions, s))) }
                                th scope="row" { a href=(format!("/events/{}", e.id)) { (e.title) } }
                                td { (e.participants) }
                                td { (format::moment(&e.updated_at)) " (" (e.updated_by) ")" }
                            }
                        }
                    }
                } }
            }
        },
    )
}

/// An event's form as typed (or as stored).
#[derive(Debug, Clone, Default)]
pub struct EventForm {
    pub event_type: String,
    pub date: String,
    pub subregion: String,
    pub title: String,
    pub participants: String,
    pub evidence_url: String,
    pub revision: i32,
    pub errors: Vec<(String, String)>,
    pub conflict: bool,
}

/// The form of a new event (`id` none) or of a stored one.
pub fn event_form(
    banner: &Banner<'_>,
    region: &str,
    id: Option<&str>,
    f: &EventForm,
    names: &RegisterNames<'_>,
) -> Markup {
    let error_of = |field: &str| {
        f.errors
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, m)| m.as_str())
    };
    let field = |id: &str, label: &str, kind: &str, value: &str| {
        let error = error_of(id);
        let error_id = format!("event-{id}-error");
        let input_id = format!("event-{id}");
        html! {
            label for=(input_id) { (label) }
            input type=(kind) id=(input_id) name=(id) value=(value)
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
            @if let Some(e) = error { p.field-error id=(error_id) { (e) } }
        }
    };
    let select_error = |name: &str| {
        error_of(name).map(|e| html! { p.field-error id=(format!("event-{name}-error")) { (e) } })
    };
    let action = id.map_or(format!("/regions/{region}/events"), |id| {
        format!("/events/{id}")
    });
    let title = if id.is_some() {
        "Wydarzenie"
    } else {
        "Nowe wydarzenie"
    };
    page(
        title,
        Some(banner),
        html! {
            p.hint { a href=(format!("/regions/{region}/events")) { "← Rejestr działań" } }
            h1 { (title) }
            @if f.conflict {
                p.error role="alert" id="event-conflict" { "Ktoś zmienił to wydarzenie, gdy je edytowałeś(-aś); nic nie zostało nadpisane. Twoje dane są w formularzu: sprawdź je i zapisz ponownie." }
            }
            @if let Some(e) = error_of("form") { p.error role="alert" { (e) } }
            form.card.event-form method="post" action=(action) novalidate {
                input type="hidden" name="csrf_token" value=(banner.csrf);
                input type="hidden" name="revision" value=(f.revision);
                label for="event-type" { "Rodzaj" }
                select id="event-type" name="type" aria-describedby=[error_of("type").map(|_| "event-type-error")] {
                    @for (code, name) in names.types { option value=(code) selected[*code == f.event_type] { (name) } }
                }
                @if let Some(e) = select_error("type") { (e) }
                (field("date", "Data", "date", &f.date))
                label for="event-subregion" { "Subregion" }
                select id="event-subregion" name="subregion" aria-describedby=[error_of("subregion").map(|_| "event-subregion-error")] {
                    option value="" selected[f.subregion.is_empty()] { "cały region" }
                    @for (code, name) in names.subregions { option value=(code) selected[*code == f.subregion] { (name) } }
                }
                @if let Some(e) = select_error("subregion") { (e) }
                (field("title", "Tytuł", "text", &f.title))
                (field("participants", "Liczba uczestników", "number", &f.participants))
                (field("evidence_url", "Link do dokumentacji (nieobowiązkowy)", "url", &f.evidence_url))
                div.actions {
                    button type="submit" name="action" value="save" { "Zapisz" }
                }
            }
            @if let Some(id) = id {
                form.card.withdraw method="post" action=(format!("/events/{id}")) {
                    input type="hidden" name="csrf_token" value=(banner.csrf);
                    input type="hidden" name="revision" value=(f.revision);
                    p { "Wycofane wydarzenie przestaje się liczyć w zestawieniach; jego historia zostaje." }
                    label.inline for="confirm-withdraw" {
                        input type="checkbox" id="confirm-withdraw" name="confirm" value="true" required;
                        " Potwierdzam wycofanie tego wydarzenia"
                    }
                    @if let Some(e) = error_of("confirm") { p.field-error { (e) } }
                    button.secondary type="submit" name="action" value="withdraw" { "Wycofaj wydarzenie" }
                }
            }
        },
    )
}
