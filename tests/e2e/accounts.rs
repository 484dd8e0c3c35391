//! People, not tokens: the first admin from the printed link, accounts of every role, sign-in
//! with sessions and CSRF, throttling, API keys, deactivation, region-bound rights, and single
//! sign-on against a small OpenID provider on loopback.

use super::*;
use reqwest::Method;

#[path = "../../crates/api/src/oidc/test_provider.rs"]
mod test_provider;

const STRONG: &str = "Ekonomia-społeczna-2025";

/// A signed-in browser: its session cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

impl Browser {
    fn req(&self, s: &Server, method: Method, path: &str) -> reqwest::RequestBuilder {
        s.http
            .request(method, s.url(path))
            .header("Cookie", format!("rops_session={}", self.cookie))
    }

    /// A state-changing request with its CSRF token.
    fn write(&self, s: &Server, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.req(s, method, path).header("X-CSRF-Token", &self.csrf)
    }
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("rops_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .filter(|c| !c.is_empty())
}

async fn sign_in(s: &Server, login: &str, password: &str) -> (u16, Option<Browser>, Value) {
    let res = s
        .http
        .post(s.url("/auth/login"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let cookie = session_cookie(&res);
    if let Some(c) = res.headers().get_all("set-cookie").iter().next() {
        let c = c.to_str().unwrap();
        for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(part), "{c} lacks {part}");
        }
        // ROPS_INSECURE_COOKIES=1: this test talks plain http.
        assert!(!c.contains("Secure"), "{c}");
    }
    let (_, _, body) = read(res).await;
    let browser = cookie.map(|cookie| Browser {
        cookie,
        csrf: body["csrf_token"].as_str().unwrap_or_default().to_owned(),
    });
    (status, browser, body)
}

fn env_with(db: &TestDb, dir: &Path, extra: &[(&'static str, String)]) -> Env {
    let mut env = Env::new(db, dir);
    env.vars.push(("ROPS_INSECURE_COOKIES", "1".into()));
    env.vars.extend(extra.iter().cloned());
    env
}

/// The first admin, from the link `serve` printed; signed in.
async fn first_admin(s: &Server) -> Browser {
    let link = s
        .printed
        .iter()
        .find_map(|l| l.split("/setup?token=").nth(1))
        .expect("serve prints the first admin's link when no user exists");
    let body = json!({"token": link, "login": "Admin@ROPS.opole.pl", "name": "Anna Admin", "password": STRONG});
    let (status, _, user) = s.send(s.http.post(s.url("/auth/setup")).json(&body)).await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(
        user["login"], "admin@rops.opole.pl",
        "logins are kept in lower case"
    );
    assert_eq!(user["role"], "admin");
    assert!(
        user["region"].is_null(),
        "the first admin administers every region"
    );
    let (status, _, again) = s.send(s.http.post(s.url("/auth/setup")).json(&body)).await;
    assert_eq!(status, 409, "the setup link works once: {again}");
    let (status, admin, me) = sign_in(s, "ADMIN@rops.opole.pl", STRONG).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["auth"], "session");
    assert!(me["may"]
        .as_array()
        .unwrap()
        .contains(&json!("manage_users")));
    admin.expect("a session cookie")
}

backend_tests! {
    async fn people_sign_in_act_by_name_and_lose_access_when_deactivated(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = env_with(&db, dir.path(), &[]);
        let s = Server::start(&env).await;
        let admin = first_admin(&s).await;

        // The admin creates an account of every role; the gmina official gets a link instead
        // of a password.
        let people = [
            json!({"login": "analityk@rops.opole.pl", "name": "Ewa Analityk", "role": "analyst", "region": "16", "password": STRONG}),
            json!({"login": "owes.pn", "name": "Jan OWES", "role": "owes", "org": "OWES-PN", "password": STRONG}),
            json!({"login": "kluczbork", "name": "Gmina Kluczbork", "role": "gmina", "org": "1604023"}),
            json!({"login": "cis.kluczbork", "name": "CIS Kluczbork", "role": "entity", "org": "CIS-KLUCZBORK", "password": STRONG}),
            json!({"login": "admin16", "name": "Admin Opolski", "role": "admin", "region": "16", "password": STRONG}),
        ];
        let mut link = None;
        for p in &people {
            let (status, _, created) = s.send(admin.write(&s, Method::POST, "/api/v1/users").json(p)).await;
            assert_eq!(status, 201, "{p}: {created}");
            assert_eq!(created["user"]["role"], p["role"]);
            assert_eq!(created["user"]["region"], "16", "every account here is of region 16: {created}");
            if p.get("password").is_none() {
                link = created["password_link"]["url"].as_str().map(str::to_owned);
            } else {
                assert!(created.get("password_link").is_none());
                assert_eq!(created["user"]["must_change_password"], true);
            }
        }
        let (status, _, array) = s.send(admin.write(&s, Method::PATCH, "/api/v1/users/owes.pn").json(&json!([null, null]))).await;
        assert_eq!(status, 422, "a body of fields is an object: {array}");
        let (status, _, taken) = s.send(admin.write(&s, Method::POST, "/api/v1/users").json(&people[1])).await;
        assert_eq!(status, 409, "{taken}");
        let weak = json!({"login": "slaby", "name": "Słabe Hasło", "role": "analyst", "password": "Scandinavian"});
        let (status, _, refused) = s.send(admin.write(&s, Method::POST, "/api/v1/users").json(&weak)).await;
        assert_eq!(status, 422, "a common password is refused: {refused}");

        // The link sets the gmina official's password, once.
        let link = link.expect("a password link");
        let token = link.split("token=").nth(1).unwrap();
        assert!(link.starts_with(&s.base), "{link}");
        let (status, _, _) = s.send(s.http.post(s.url("/auth/password")).json(&json!({"token": token, "password": STRONG}))).await;
        assert_eq!(status, 204);
        let (status, _, _) = s.send(s.http.post(s.url("/auth/password")).json(&json!({"token": token, "password": STRONG}))).await;
        assert_eq!(status, 409, "a link works once");

        // Each signs in and gets a working session; initial passwords must change first.
        let mut browsers = Vec::new();
        for (login, role) in [("analityk@rops.opole.pl", "analyst"), ("owes.pn", "owes"), ("kluczbork", "gmina"), ("cis.kluczbork", "entity"), ("admin16", "admin")] {
            let (status, b, me) = sign_in(&s, login, STRONG).await;
            assert_eq!(status, 200, "{login}: {me}");
            assert_eq!(me["role"], role);
            let b = b.unwrap();
            if me["must_change_password"] == true {
                let (status, _, refused) = s.send(b.req(&s, Method::GET, "/api/v1/indicators")).await;
                assert_eq!(status, 403, "{refused}");
                assert!(refused["detail"].as_str().unwrap().contains("change it first"));
                let change = json!({"old_password": STRONG, "new_password": format!("{STRONG}-{role}")});
                let (status, _, body) = s.send(b.write(&s, Method::POST, "/api/v1/me/password").json(&change)).await;
                assert_eq!(status, 204, "{body}");
            }
            let (status, _, me) = s.send(b.req(&s, Method::GET, "/api/v1/me")).await;
            assert_eq!(status, 200);
            assert_eq!(me["login"], login);
            assert_eq!(me["must_change_password"], false);
            assert_eq!(me["csrf_token"], b.csrf.as_str());
            browsers.push(b);
        }
        let [analyst, owes, gmina, _entity, admin16] = <[Browser; 5]>::try_from(browsers).ok().unwrap();
        let (status, _, _) = s.send(gmina.req(&s, Method::GET, "/api/v1/gminas/1604023/lpres")).await;
        assert_eq!(status, 200);

        // A cookie-authenticated write without its CSRF token: 403, nothing stored.
        let period = "2024-Q1";
        let path = format!("/api/v1/owes/OWES-PN/reports/{period}");
        let values = json!({"values": {"jobs_created": 3}});
        let (status, _, refused) = s.send(owes.req(&s, Method::PUT, &path).json(&values)).await;
        assert_eq!(status, 403, "{refused}");
        assert!(refused["detail"].as_str().unwrap().contains("CSRF"));
        let (status, _, wrong) = s.send(owes.req(&s, Method::PUT, &path).header("X-CSRF-Token", "x".repeat(43)).json(&values)).await;
        assert_eq!(status, 403, "{wrong}");
        let (status, _, _) = s.send(owes.req(&s, Method::GET, &path)).await;
        assert_eq!(status, 404, "nothing was stored");
        let (status, _, put) = s.send(owes.write(&s, Method::PUT, &path).json(&values)).await;
        assert_eq!(status, 201, "{put}");
        // Revisions, transitions and events name the person.
        let (_, _, revisions) = s.send(owes.req(&s, Method::GET, &format!("{path}/revisions"))).await;
        assert_eq!(revisions[0]["recorded_by"], "owes.pn", "{revisions}");
        let event = json!({"type": "business_meeting", "date": "2024-05-14", "subregion": "OPL-PN", "title": "Spotkanie", "participants": 3});
        let (status, _, created) = s.send(analyst.write(&s, Method::POST, "/api/v1/regions/16/events").json(&event)).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["updated_by"], "analityk@rops.opole.pl", "{created}");

        // Wrong passwords are throttled: five failures, then 429 for the right one too, and
        // the same for a login that does not exist.
        for login in ["analityk@rops.opole.pl", "nikt@example.pl"] {
            for _ in 0..5 {
                let (status, _, body) = sign_in(&s, login, "wrong-password-123").await;
                assert_eq!(status, 401, "{body}");
                assert_eq!(body["detail"], "wrong login or password");
            }
            let res = s.http.post(s.url("/auth/login")).json(&json!({"login": login, "password": STRONG})).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 429, "{login}");
            let retry: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((800..=900).contains(&retry), "{retry}");
        }
        // The analyst's open session is not affected by the throttle.
        let (status, _, _) = s.send(analyst.req(&s, Method::GET, "/api/v1/me")).await;
        assert_eq!(status, 200);
        // A second replica on the same database sees the same sessions and the same throttle.
        let replica = Server::start(&env).await;
        let (status, _, me) = replica.send(analyst.req(&replica, Method::GET, "/api/v1/me")).await;
        assert_eq!(status, 200, "{me}");
        let res = replica.http.post(replica.url("/auth/login")).json(&json!({"login": "analityk@rops.opole.pl", "password": STRONG})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 429, "the throttle holds across replicas");
        replica.stop().await;

        // An analyst bound to region 16 is refused another region's data.
        let (status, _, refused) = s.send(analyst.req(&s, Method::GET, "/api/v1/rollups/regions/22")).await;
        assert_eq!(status, 403, "{refused}");
        assert!(refused["detail"].as_str().unwrap().contains("region 16"), "{refused}");
        let (status, _, _) = s.send(analyst.req(&s, Method::GET, "/api/v1/rollups/regions/16")).await;
        assert_eq!(status, 200);
        let (status, _, _) = s.send(analyst.req(&s, Method::GET, "/api/v1/reports?region=22")).await;
        assert_eq!(status, 403);
        // …and a region-bound admin manages that region's accounts only.
        let (status, _, listed) = s.send(admin16.req(&s, Method::GET, "/api/v1/users")).await;
        assert_eq!(status, 200);
        assert!(listed.as_array().unwrap().iter().all(|u| u["region"] == "16"), "{listed}");
        let (status, _, _) = s.send(admin16.req(&s, Method::GET, "/api/v1/users/admin@rops.opole.pl")).await;
        assert_eq!(status, 403, "the admin of every region is beyond a region's admin");
        let everywhere = json!({"login": "wszedzie", "name": "X", "role": "analyst"});
        let (status, _, _) = s.send(admin16.write(&s, Method::POST, "/api/v1/users").json(&everywhere)).await;
        assert_eq!(status, 403, "a region's admin cannot create an analyst of every region");

        // API keys: shown once, used as Bearer, listed with their last use, revoked at once.
        let (status, _, key) = s.send(owes.write(&s, Method::POST, "/api/v1/me/keys").json(&json!({"name": "system OWES"}))).await;
        assert_eq!(status, 201, "{key}");
        let secret = key["key"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("rops_"));
        let (status, _, _) = s.send(s.req(Method::GET, "/api/v1/owes/OWES-PN/reports", &secret)).await;
        assert_eq!(status, 200);
        let (status, _, refused) = s.send(s.req(Method::GET, "/api/v1/owes/OWES-PD/reports", &secret)).await;
        assert_eq!(status, 403, "a key has its owner's rights: {refused}");
        let (_, _, keys) = s.send(owes.req(&s, Method::GET, "/api/v1/me/keys")).await;
        assert_eq!(keys[0]["id"], key["id"]);
        assert!(keys[0]["last_used_at"].is_string(), "{keys}");
        assert!(keys[0].get("key").is_none() && !keys.to_string().contains(&secret));
        let id = key["id"].as_str().unwrap();
        let (status, _, _) = s.send(owes.write(&s, Method::DELETE, &format!("/api/v1/me/keys/{id}"))).await;
        assert_eq!(status, 204);
        let (status, _, refused) = s.send(s.req(Method::GET, "/api/v1/owes/OWES-PN/reports", &secret)).await;
        assert_eq!(status, 401, "{refused}");
        assert!(refused["detail"].as_str().unwrap().contains("revoked"));

        // A second key and the session stop working the moment the owner is deactivated.
        let (_, _, key) = s.send(owes.write(&s, Method::POST, "/api/v1/me/keys").json(&json!({"name": "drugi"}))).await;
        let secret = key["key"].as_str().unwrap().to_owned();
        let (status, _, _) = s.send(s.req(Method::GET, "/api/v1/me", &secret)).await;
        assert_eq!(status, 200);
        let (status, _, off) = s.send(admin.write(&s, Method::PATCH, "/api/v1/users/OWES.PN").json(&json!({"active": false}))).await;
        assert_eq!(status, 200, "{off}");
        assert_eq!(off["active"], false);
        let (status, _, _) = s.send(s.req(Method::GET, "/api/v1/me", &secret)).await;
        assert_eq!(status, 401, "a deactivated owner's key");
        let (status, _, _) = s.send(owes.req(&s, Method::GET, "/api/v1/me")).await;
        assert_eq!(status, 401, "a deactivated user's session");
        let (status, _, _) = sign_in(&s, "owes.pn", &format!("{STRONG}-owes")).await;
        assert_eq!(status, 403, "a deactivated user cannot sign in");

        // Server-signed JWTs keep working.
        let (status, _, me) = s.send(s.req(Method::GET, "/api/v1/me", &env.token("analyst", None))).await;
        assert_eq!(status, 200);
        assert_eq!(me["auth"], "token");

        // Sessions live in the database: they survive a restart; signing out ends them.
        s.stop().await;
        let s = Server::start(&env).await;
        assert!(s.printed.iter().all(|l| !l.contains("/setup?token=")), "no setup link once a user exists");
        let (status, _, _) = s.send(admin.req(&s, Method::GET, "/api/v1/me")).await;
        assert_eq!(status, 200, "the session survives a restart");
        let (status, _, _) = s.send(admin.req(&s, Method::POST, "/auth/logout")).await;
        assert_eq!(status, 403, "signing out needs the CSRF token");
        let (status, _, _) = s.send(admin.write(&s, Method::POST, "/auth/logout")).await;
        assert_eq!(status, 204);
        let (status, _, _) = s.send(admin.req(&s, Method::GET, "/api/v1/me")).await;
        assert_eq!(status, 401);

        // The server's shell sees the same accounts.
        let listed = env.run(&["user", "list", "--region", "16"]);
        assert!(listed.contains("owes.pn") && listed.contains("\tno"), "{listed}");
        let added = env.run(&["user", "add", "--login", "nowy", "--name", "Nowy", "--role", "gmina", "--org", "1601011"]);
        assert!(added.contains("/set-password?token="), "{added}");
        s.stop().await;
    }

    async fn single_sign_on_signs_in_and_its_bearer_tokens_work_across_key_rotation(db) {
        use test_provider::{KeyAlg, TestProvider};
        let provider = TestProvider::start(KeyAlg::Es256);
        let dir = tempfile::tempdir().unwrap();
        // The callback's address is known once the server listens: a fixed free port.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let env = env_with(&db, dir.path(), &[
            ("ROPS_BIND", format!("127.0.0.1:{port}")),
            ("ROPS_OIDC_ISSUER", provider.issuer().to_owned()),
            ("ROPS_OIDC_CLIENT_ID", provider.client_id().to_owned()),
            ("ROPS_OIDC_CLIENT_SECRET", provider.client_secret().to_owned()),
            ("ROPS_OIDC_REDIRECT_URL", format!("http://127.0.0.1:{port}/auth/oidc/callback")),
        ]);
        let s = Server::start(&env).await;
        let admin = first_admin(&s).await;
        let person = json!({"login": "ewa@rops.opole.pl", "name": "Ewa SSO", "role": "analyst", "region": "16"});
        let (status, _, _) = s.send(admin.write(&s, Method::POST, "/api/v1/users").json(&person)).await;
        assert_eq!(status, 201);

        // The sign-in page offers the provider.
        let page = s.http.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Zaloguj przez 127.0.0.1"), "{page}");

        // Authorization code with PKCE: to the provider, back with a code, a session.
        let sign_on = |user: &'static str| {
            let s = &s;
            let provider = &provider;
            async move {
                provider.next_user(user);
                let start = s.http.get(s.url("/auth/oidc/start")).send().await.unwrap();
                assert_eq!(start.status().as_u16(), 302);
                let authorize = start.headers()["location"].to_str().unwrap().to_owned();
                assert!(authorize.contains("code_challenge_method=S256") && authorize.contains("nonce="), "{authorize}");
                let back = s.http.get(&authorize).send().await.unwrap();
                assert_eq!(back.status().as_u16(), 302);
                let callback = back.headers()["location"].to_str().unwrap().to_owned();
                assert!(callback.starts_with(&s.base), "{callback}");
                s.http.get(&callback).send().await.unwrap()
            }
        };
        let done = sign_on("ewa@rops.opole.pl").await;
        assert_eq!(done.status().as_u16(), 303);
        let cookie = session_cookie(&done).expect("a session after single sign-on");
        let browser = Browser { cookie, csrf: String::new() };
        let (status, _, me) = s.send(browser.req(&s, Method::GET, "/api/v1/me")).await;
        assert_eq!(status, 200);
        assert_eq!(me["login"], "ewa@rops.opole.pl");
        assert_eq!(me["region"], "16");
        // Someone the provider knows but rops-hub does not: refused with a page, not created.
        let refused = sign_on("obcy@example.pl").await;
        assert_eq!(refused.status().as_u16(), 403);
        let page = refused.text().await.unwrap();
        assert!(page.contains("Nie ma konta rops-hub dla obcy@example.pl"), "{page}");
        let (_, _, users) = s.send(admin.req(&s, Method::GET, "/api/v1/users")).await;
        assert_eq!(users.as_array().unwrap().len(), 2, "{users}");

        // The provider's access tokens on the API; rotation; a key the JWKS does not hold.
        let (status, _, me) = s.send(s.req(Method::GET, "/api/v1/me", &provider.access_token_for("ewa@rops.opole.pl"))).await;
        assert_eq!(status, 200, "{me}");
        assert_eq!(me["auth"], "oidc");
        provider.rotate_key_dropping_old();
        let (status, _, me) = s.send(s.req(Method::GET, "/api/v1/rollups/regions/16", &provider.access_token_for("ewa@rops.opole.pl"))).await;
        assert_eq!(status, 200, "a token signed with the new key is accepted: {me}");
        let (status, _, refused) = s.send(s.req(Method::GET, "/api/v1/me", &provider.token_signed_with_unknown_key("ewa@rops.opole.pl"))).await;
        assert_eq!(status, 401, "{refused}");
        let (status, _, _) = s.send(s.req(Method::GET, "/api/v1/me", &provider.access_token_for("obcy@example.pl"))).await;
        assert_eq!(status, 401, "no account, no access");
        let (status, _, refused) = s.send(s.req(Method::GET, "/api/v1/rollups/regions/22", &provider.access_token_for("ewa@rops.opole.pl"))).await;
        assert_eq!(status, 403, "{refused}");
        s.stop().await;
    }
}
