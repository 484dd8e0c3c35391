//! An OWES's spreadsheet uploaded in the browser (`crate::pages::upload`): read and imported
//! as a dry run for the preview, stored on confirmation — the API's own import
//! ([`super::report_files::import_file`]).

use super::dashboard::{forbidden, refused};
use super::report_files::import_file;
use super::report_pages::{unit_reader, UnitRef};
use super::signin::csrf_matches;
use crate::auth::Caller;
use crate::csv_import::Source;
use crate::error::ApiError;
use crate::pages::upload::{upload, Preview};
use crate::pages::{self, Banner};
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use base64::Engine as _;
use futures_util::StreamExt as _;
use rops_domain::indicator::Stream;
use rops_store::accounts::{Session, User};

/// The largest file accepted, as the API's import.
const FILE_LIMIT: usize = crate::app::BODY_LIMIT;
/// The largest form read: the file, or its Base64 text, and a few small fields.
const FORM_LIMIT: usize = 4 * FILE_LIMIT;

/// The OWES and its name, for one who may write its reports; the answer otherwise.
async fn writer(
    state: &AppState,
    req: &HttpRequest,
    owes: &str,
) -> Result<Result<(Session, User, Caller, String), HttpResponse>, ApiError> {
    let unit = UnitRef {
        stream: Stream::Owes,
        code: owes.to_owned(),
    };
    let (session, user, caller, may_write) = match unit_reader(state, req, &unit).await? {
        Ok(found) => found,
        Err(answer) => return Ok(Err(answer)),
    };
    if !may_write {
        return Ok(Err(forbidden()));
    }
    let code = owes.to_owned();
    let Some(view) = state
        .db(move |conn| rops_store::queries::owes(conn, &code))
        .await?
    else {
        return Ok(Err(refused(
            StatusCode::NOT_FOUND,
            "Nie znaleziono",
            &format!("Nie ma OWES o kodzie {owes}."),
        )));
    };
    Ok(Ok((session, user, caller, view.name)))
}

/// The upload form.
#[get("/owes/{code}/reports/upload")]
pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let owes = code.into_inner();
    let (session, user, _, name) = match writer(&state, &req, &owes).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let banner = Banner::of(&user, &session);
    Ok(pages::respond(
        StatusCode::OK,
        upload(&banner, &owes, &name, None, None),
    ))
}

/// The multipart form as sent: its small fields as text, the file as bytes.
#[derive(Default)]
struct Sent {
    csrf: String,
    action: String,
    file_name: String,
    file: Vec<u8>,
    /// The file as the preview sent it back (Base64).
    file_data: String,
}

/// Reads the form, refusing one larger than [`FORM_LIMIT`] in all.
async fn read(mut parts: Multipart) -> Result<Sent, String> {
    let mut sent = Sent::default();
    let mut total = 0usize;
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(|e| format!("formularz jest nieczytelny ({e})"))?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            sent.file_name = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default()
                .to_owned();
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| format!("formularz jest nieczytelny ({e})"))?;
            total += chunk.len();
            if total > FORM_LIMIT {
                return Err(format!(
                    "plik jest za duży; najwyżej {} KiB",
                    FILE_LIMIT / 1024
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf_token" => sent.csrf = text(),
            "action" => sent.action = text(),
            "file_name" => sent.file_name = text(),
            "file_data" => sent.file_data = text(),
            "file" => sent.file = bytes,
            _ => {}
        }
    }
    Ok(sent)
}

/// Previews (`action=preview`, with the file) or stores (`action=confirm`, with the file the
/// preview sent back) an OWES's spreadsheet.
#[post("/owes/{code}/reports/upload")]
pub async fn send(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let owes = code.into_inner();
    let (session, user, caller, name) = match writer(&state, &req, &owes).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let banner = Banner::of(&user, &session);
    let refuse = |status: StatusCode, why: &str| {
        pages::respond(status, upload(&banner, &owes, &name, None, Some(why)))
    };
    let sent = match read(payload).await {
        Ok(sent) => sent,
        Err(why) => {
            return Ok(refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("Nie wczytano pliku: {why}."),
            ))
        }
    };
    if !csrf_matches(&req, &sent.csrf, &session) {
        return Ok(refused(
            StatusCode::FORBIDDEN,
            "Formularz wygasł",
            "Formularz nie pochodzi z tej sesji (albo sesja się zmieniła). Otwórz stronę ponownie.",
        ));
    }
    let confirm = sent.action == "confirm";
    let file = if confirm {
        match base64::engine::general_purpose::STANDARD.decode(sent.file_data.trim()) {
            Ok(bytes) => bytes,
            Err(_) => {
                return Ok(refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Podgląd nie przesłał pliku; wczytaj go ponownie.",
                ))
            }
        }
    } else {
        sent.file
    };
    if file.is_empty() {
        return Ok(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Wybierz plik CSV albo XLSX.",
        ));
    }
    if file.len() > FILE_LIMIT {
        return Ok(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("Plik jest za duży; najwyżej {} KiB.", FILE_LIMIT / 1024),
        ));
    }
    // An XLSX is a zip (it starts `PK`); anything else is read as CSV, its encoding found as
    // the API finds it when no charset is named.
    let source = if file.starts_with(b"PK") {
        Source::Xlsx
    } else {
        Source::Csv { encoding: None }
    };
    let data = base64::engine::general_purpose::STANDARD.encode(&file);
    let done = import_file(
        &state,
        &caller,
        Stream::Owes,
        owes.clone(),
        web::Bytes::from(file),
        source,
        !confirm,
    )
    .await;
    match done {
        Ok(_) if confirm => Ok(pages::see_other(&format!(
            "/owes/{owes}/reports?imported=1"
        ))),
        Ok(result) => {
            let preview = Preview {
                name: &sent.file_name,
                data: &data,
                result: Ok(&result),
            };
            Ok(pages::respond(
                StatusCode::OK,
                upload(&banner, &owes, &name, Some(&preview), None),
            ))
        }
        Err(ApiError::Validation { errors, .. }) => {
            let problems: Vec<(String, String)> =
                errors.into_iter().map(|e| (e.field, e.message)).collect();
            let preview = Preview {
                name: &sent.file_name,
                data: &data,
                result: Err(&problems),
            };
            Ok(pages::respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                upload(&banner, &owes, &name, Some(&preview), None),
            ))
        }
        Err(ApiError::Conflict(why)) => Ok(refuse(
            StatusCode::CONFLICT,
            &rops_domain::problems_pl::message(&why),
        )),
        Err(e) => Err(e),
    }
}
