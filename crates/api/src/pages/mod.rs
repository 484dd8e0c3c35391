//! The service's HTML pages, in Polish: signing in, the first admin, setting a password, and
//! the page a signed-in person lands on. Written with maud (escaped by construction); the one
//! stylesheet and the report form's one script are compiled into the binary; no inline script,
//! and a Content-Security-Policy that allows nothing from elsewhere.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{get, HttpResponse};
use maud::{html, Markup, DOCTYPE};
use rops_domain::role::Role;
use rops_store::accounts::{Session, User};

pub mod compare;
pub mod format;
pub mod gmina;
pub mod map;
pub mod register;
pub mod report_form;
pub mod review;
pub mod scope;
pub mod upload;

/// What a page may load: its own stylesheet and scripts, nothing else (no inline script);
/// forms post to this service only.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const CSS: &str = include_str!("rops.css");
const REPORT_FORM_JS: &str = include_str!("report-form.js");

/// The report form's checks as the person types (pages/report_form.rs), cached for a day.
#[get("/assets/report-form.js")]
pub async fn report_form_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(REPORT_FORM_JS)
}

/// The stylesheet, cached for a day.
#[get("/assets/rops.css")]
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(CSS)
}

/// Who is signed in, for the header: name, role, the places the role may go, sign-out.
pub struct Banner<'a> {
    pub name: &'a str,
    pub role: Role,
    pub csrf: &'a str,
    /// The unit a bound role acts for (OWES code, gmina TERYT).
    pub org: Option<&'a str>,
    /// The region an analyst or admin works in (none: every region).
    pub region: Option<&'a str>,
}

impl<'a> Banner<'a> {
    pub fn of(user: &'a User, session: &'a Session) -> Self {
        Self {
            name: &user.name,
            role: user.role,
            csrf: &session.csrf_token,
            org: user.org.as_deref(),
            region: user.region.as_ref().map(|r| r.as_str()),
        }
    }

    /// The header's links: only what the role may open.
    fn nav(&self) -> Vec<(String, &'static str)> {
        let mut links = Vec::new();
        match (self.role, self.org, self.region) {
            (Role::Admin | Role::Analyst, _, region) => {
                if let Some(region) = region {
                    links.push((format!("/regions/{region}"), "Region"));
                    links.push((format!("/regions/{region}/events"), "Rejestr działań"));
                }
                links.push(("/review".to_owned(), "Do sprawdzenia"));
            }
            (Role::Owes, Some(org), _) => {
                links.push((format!("/owes/{org}"), "Mój OWES"));
                links.push((format!("/owes/{org}/reports"), "Sprawozdania"));
            }
            (Role::Gmina, Some(org), _) => links.push((format!("/gminas/{org}"), "Moja gmina")),
            _ => {}
        }
        links.push(("/".to_owned(), "Konto"));
        links
    }
}

/// Where a person lands after signing in: an OWES or gmina official on their own page,
/// everyone else on the home page (which lists the regions they may open).
pub fn landing(user: &User) -> String {
    match (user.role, user.org.as_deref()) {
        _ if user.must_change_password => "/".to_owned(),
        (Role::Owes, Some(org)) => format!("/owes/{org}"),
        (Role::Gmina, Some(org)) => format!("/gminas/{org}"),
        _ => "/".to_owned(),
    }
}

/// A role as the people who hold it call it.
pub fn role_pl(role: Role) -> &'static str {
    match role {
        Role::Admin => "administrator ROPS",
        Role::Analyst => "analityk ROPS",
        Role::Owes => "pracownik OWES",
        Role::Gmina => "pracownik gminy",
        Role::Entity => "pracownik podmiotu reintegracyjnego",
    }
}

/// A whole page.
pub fn page(title: &str, banner: Option<&Banner<'_>>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="pl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – rops-hub" }
                link rel="stylesheet" href="/assets/rops.css";
            }
            body {
                header {
                    a.brand href="/" { "rops-hub" }
                    @if let Some(b) = banner {
                        nav aria-label="Nawigacja" {
                            @for (href, label) in b.nav() { a href=(href) { (label) } }
                        }
                        span.who { (b.name) " · " (role_pl(b.role)) }
                        form method="post" action="/auth/logout" {
                            input type="hidden" name="csrf_token" value=(b.csrf);
                            button type="submit" { "Wyloguj się" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// An HTML answer with the page's security headers.
pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string())
}

/// A 303 to `to` (after a form was posted).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// A page that says one thing, with a way on.
pub fn message(title: &str, text: &str, link: Option<(&str, &str)>, error: bool) -> Markup {
    page(
        title,
        None,
        html! {
            div.card {
                h1 { (title) }
                p class=(if error { "error" } else { "notice" }) role=(if error { "alert" } else { "status" }) { (text) }
                @if let Some((href, label)) = link {
                    a.button href=(href) { (label) }
                }
            }
        },
    )
}

/// The sign-in form; `error` above it, `login` kept as typed.
pub fn sign_in(login: &str, error: Option<&str>, sso: Option<&str>) -> Markup {
    page(
        "Logowanie",
        None,
        html! {
            div.card {
                h1 { "Logowanie" }
                @if let Some(e) = error {
                    p.error role="alert" id="sign-in-error" { (e) }
                }
                form method="post" action="/auth/login" {
                    label for="login" { "Login lub e-mail" }
                    input type="text" id="login" name="login" value=(login) autocomplete="username" required autofocus
                        aria-describedby=[error.map(|_| "sign-in-error")];
                    label for="password" { "Hasło" }
                    input type="password" id="password" name="password" autocomplete="current-password" required;
                    button type="submit" { "Zaloguj się" }
                }
                @if let Some(name) = sso {
                    p.or { "lub" }
                    a.button.secondary href="/auth/oidc/start" { "Zaloguj przez " (name) }
                }
            }
        },
    )
}

/// A field of a password form with its error tied to it.
fn password_field(id: &str, label: &str, autocomplete: &str, error: Option<&str>) -> Markup {
    let error_id = format!("{id}-error");
    html! {
        label for=(id) { (label) }
        input type="password" id=(id) name=(id) autocomplete=(autocomplete) required
            aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
        @if let Some(e) = error {
            p.field-error id=(error_id) { (e) }
        }
    }
}

/// Errors of a form, by field name.
pub type FormErrors<'a> = &'a [(&'a str, String)];

fn error_of<'a>(errors: FormErrors<'a>, field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, m)| m.as_str())
}

const PASSWORD_HINT: &str =
    "Co najmniej 12 znaków; nie może to być jedno z 10 000 najczęstszych haseł ani login.";

/// The first admin's form (a setup link).
pub fn setup(token: &str, login: &str, name: &str, errors: FormErrors<'_>) -> Markup {
    let text = |id: &str, label: &str, value: &str, autocomplete: &str| {
        let error = error_of(errors, id);
        let error_id = format!("{id}-error");
        html! {
            label for=(id) { (label) }
            input type="text" id=(id) name=(id) value=(value) autocomplete=(autocomplete) required
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
            @if let Some(e) = error { p.field-error id=(error_id) { (e) } }
        }
    };
    page(
        "Pierwszy administrator",
        None,
        html! {
            div.card {
                h1 { "Pierwszy administrator" }
                p.hint { "Nie ma jeszcze żadnego konta. Załóż konto administratora ROPS; później założy on konta pozostałym osobom." }
                @if let Some(e) = error_of(errors, "token") { p.error role="alert" { (e) } }
                form method="post" action="/auth/setup" {
                    input type="hidden" name="token" value=(token);
                    (text("login", "Login lub e-mail", login, "username"))
                    (text("name", "Imię i nazwisko", name, "name"))
                    (password_field("password", "Hasło", "new-password", error_of(errors, "password")))
                    p.hint { (PASSWORD_HINT) }
                    button type="submit" { "Utwórz konto" }
                }
            }
        },
    )
}

/// Setting a password from a one-time link.
pub fn set_password(token: &str, login: &str, errors: FormErrors<'_>) -> Markup {
    page(
        "Ustaw hasło",
        None,
        html! {
            div.card {
                h1 { "Ustaw hasło" }
                p { "Konto: " strong { (login) } }
                @if let Some(e) = error_of(errors, "token") { p.error role="alert" { (e) } }
                form method="post" action="/auth/password" {
                    input type="hidden" name="token" value=(token);
                    (password_field("password", "Nowe hasło", "new-password", error_of(errors, "password")))
                    p.hint { (PASSWORD_HINT) }
                    button type="submit" { "Ustaw hasło" }
                }
            }
        },
    )
}

/// What a signed-in person sees first: who they are, and the password form when it must
/// change.
pub struct Home<'a> {
    pub banner: Banner<'a>,
    pub login: &'a str,
    pub org: Option<&'a str>,
    pub region: Option<&'a str>,
    pub must_change_password: bool,
    pub errors: FormErrors<'a>,
    pub notice: Option<&'a str>,
    /// The regions whose page this person may open: code and name.
    pub regions: Vec<(String, String)>,
}

pub fn home(h: &Home<'_>) -> Markup {
    page(
        "Konto",
        Some(&h.banner),
        html! {
            div.card {
                h1 { "Witaj, " (h.banner.name) }
                @if let Some(n) = h.notice { p.notice role="status" { (n) } }
                dl {
                    dt { "Login" } dd { (h.login) }
                    dt { "Rola" } dd { (role_pl(h.banner.role)) }
                    @if let Some(org) = h.org { dt { "Jednostka" } dd { (org) } }
                    dt { "Region" } dd { (h.region.unwrap_or("wszystkie")) }
                }
                @if h.must_change_password {
                    p.error role="alert" { "Hasło ustawił administrator: zmień je, zanim zaczniesz pracę." }
                } @else if !h.regions.is_empty() {
                    nav aria-label="Regiony" {
                        h2 { "Regiony" }
                        ul {
                            @for (code, name) in &h.regions {
                                li { a href=(format!("/regions/{code}")) { (name) " (" (code) ")" } }
                            }
                        }
                    }
                }
                h2 { "Zmiana hasła" }
                form method="post" action="/auth/password/change" {
                    input type="hidden" name="csrf_token" value=(h.banner.csrf);
                    (password_field("old_password", "Obecne hasło", "current-password", error_of(h.errors, "old_password")))
                    (password_field("new_password", "Nowe hasło", "new-password", error_of(h.errors, "new_password")))
                    p.hint { (PASSWORD_HINT) }
                    button type="submit" { "Zmień hasło" }
                }
            }
        },
    )
}
