// @generated automatically by Diesel CLI.

diesel::table! {
    api_keys (id) {
        id -> Text,
        login -> Text,
        name -> Text,
        key_hash -> Text,
        created_at -> Text,
        expires_at -> Nullable<Text>,
        last_used_at -> Nullable<Text>,
        revoked_at -> Nullable<Text>,
    }
}

diesel::table! {
    entities (code) {
        code -> Text,
        region_code -> Text,
        kind -> Text,
        name -> Text,
        seat_teryt -> Text,
        serves_json -> Text,
        operator -> Text,
        active_from -> Text,
        active_to -> Nullable<Text>,
        revision -> Integer,
        created_at -> Text,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    entity_revisions (code, revision) {
        code -> Text,
        revision -> Integer,
        action -> Text,
        kind -> Text,
        name -> Text,
        seat_teryt -> Text,
        serves_json -> Text,
        operator -> Text,
        active_from -> Text,
        active_to -> Nullable<Text>,
        recorded_at -> Text,
        recorded_by -> Text,
    }
}

diesel::table! {
    event_revisions (id, revision) {
        id -> Text,
        revision -> Integer,
        action -> Text,
        event_type -> Text,
        event_date -> Text,
        subregion_code -> Nullable<Text>,
        title -> Text,
        participants -> Integer,
        evidence_url -> Nullable<Text>,
        withdrawn_at -> Nullable<Text>,
        recorded_at -> Text,
        recorded_by -> Text,
    }
}

diesel::table! {
    event_types (code) {
        code -> Text,
        position -> Integer,
        name_pl -> Text,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        region_code -> Text,
        event_type -> Text,
        event_date -> Text,
        subregion_code -> Nullable<Text>,
        title -> Text,
        participants -> Integer,
        evidence_url -> Nullable<Text>,
        withdrawn_at -> Nullable<Text>,
        revision -> Integer,
        created_at -> Text,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    gmina_boundaries (teryt) {
        teryt -> Text,
        geometry_json -> Text,
    }
}

diesel::table! {
    gminas (teryt) {
        teryt -> Text,
        powiat_code -> Text,
        name -> Text,
        kind -> Text,
    }
}

diesel::table! {
    indicators (code) {
        code -> Text,
        stream -> Text,
        position -> Integer,
        name_pl -> Text,
        kind -> Text,
        unit -> Text,
        numerator -> Nullable<Text>,
        denominator -> Nullable<Text>,
        at_most -> Nullable<Text>,
        verification_pl -> Nullable<Text>,
    }
}

diesel::table! {
    login_failures (login, failed_at) {
        login -> Text,
        failed_at -> Text,
    }
}

diesel::table! {
    lpres (teryt) {
        teryt -> Text,
        status -> Text,
        resolution_number -> Nullable<Text>,
        adopted_on -> Nullable<Text>,
        plan_from -> Nullable<Integer>,
        plan_to -> Nullable<Integer>,
        document_url -> Nullable<Text>,
        revision -> Integer,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    lpres_revisions (teryt, revision) {
        teryt -> Text,
        revision -> Integer,
        status -> Text,
        resolution_number -> Nullable<Text>,
        adopted_on -> Nullable<Text>,
        plan_from -> Nullable<Integer>,
        plan_to -> Nullable<Integer>,
        document_url -> Nullable<Text>,
        recorded_at -> Text,
        recorded_by -> Text,
    }
}

diesel::table! {
    oidc_logins (state_hash) {
        state_hash -> Text,
        nonce -> Text,
        verifier -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    one_time_links (token_hash) {
        token_hash -> Text,
        purpose -> Text,
        login -> Nullable<Text>,
        created_at -> Text,
        expires_at -> Text,
        used_at -> Nullable<Text>,
    }
}

diesel::table! {
    owes (code) {
        code -> Text,
        name -> Text,
        subregion_code -> Text,
        active_from -> Text,
        active_to -> Nullable<Text>,
    }
}

diesel::table! {
    powiats (code) {
        code -> Text,
        region_code -> Text,
        name -> Text,
        kind -> Text,
    }
}

diesel::table! {
    programme_targets (programme_code, position) {
        programme_code -> Text,
        position -> Integer,
        indicator -> Text,
        scope -> Text,
        owes_code -> Nullable<Text>,
        comparator -> Text,
        value -> Double,
        target_window -> Text,
        source -> Nullable<Text>,
    }
}

diesel::table! {
    programmes (code) {
        code -> Text,
        region_code -> Text,
        name -> Text,
        start_quarter -> Text,
        end_quarter -> Text,
    }
}

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    report_revisions (stream, unit_code, period, revision) {
        stream -> Text,
        unit_code -> Text,
        period -> Text,
        revision -> Integer,
        action -> Text,
        status -> Text,
        values_json -> Text,
        results_json -> Nullable<Text>,
        note -> Nullable<Text>,
        return_reason -> Nullable<Text>,
        recorded_at -> Text,
        recorded_by -> Text,
        warnings_json -> Nullable<Text>,
    }
}

diesel::table! {
    reports (stream, unit_code, period) {
        stream -> Text,
        unit_code -> Text,
        period -> Text,
        status -> Text,
        revision -> Integer,
        values_json -> Text,
        results_json -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Text,
        updated_at -> Text,
        updated_by -> Text,
        first_submitted_at -> Nullable<Text>,
        submitted_at -> Nullable<Text>,
        approved_at -> Nullable<Text>,
        return_reason -> Nullable<Text>,
    }
}

diesel::table! {
    result_groups (code) {
        code -> Text,
        position -> Integer,
        name_pl -> Text,
    }
}

diesel::table! {
    result_items (code) {
        code -> Text,
        group_code -> Text,
        position -> Integer,
        name_pl -> Text,
    }
}

diesel::table! {
    rollup_versions (scope) {
        scope -> Text,
        version -> BigInt,
        past_version -> BigInt,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        login -> Text,
        csrf_token -> Text,
        created_at -> Text,
        last_seen_at -> Text,
        expires_at -> Text,
    }
}

diesel::table! {
    subregion_powiats (powiat_code) {
        powiat_code -> Text,
        subregion_code -> Text,
    }
}

diesel::table! {
    subregions (code) {
        code -> Text,
        region_code -> Text,
        name -> Text,
    }
}

diesel::table! {
    users (login) {
        login -> Text,
        name -> Text,
        role -> Text,
        org -> Nullable<Text>,
        region_code -> Nullable<Text>,
        active -> Bool,
        password_hash -> Nullable<Text>,
        must_change_password -> Bool,
        created_at -> Text,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::joinable!(api_keys -> users (login));
diesel::joinable!(entities -> gminas (seat_teryt));
diesel::joinable!(entities -> regions (region_code));
diesel::joinable!(entity_revisions -> entities (code));
diesel::joinable!(event_revisions -> events (id));
diesel::joinable!(events -> event_types (event_type));
diesel::joinable!(events -> regions (region_code));
diesel::joinable!(events -> subregions (subregion_code));
diesel::joinable!(gmina_boundaries -> gminas (teryt));
diesel::joinable!(gminas -> powiats (powiat_code));
diesel::joinable!(lpres -> gminas (teryt));
diesel::joinable!(lpres_revisions -> gminas (teryt));
diesel::joinable!(one_time_links -> users (login));
diesel::joinable!(owes -> subregions (subregion_code));
diesel::joinable!(powiats -> regions (region_code));
diesel::joinable!(programme_targets -> owes (owes_code));
diesel::joinable!(programme_targets -> programmes (programme_code));
diesel::joinable!(programmes -> regions (region_code));
diesel::joinable!(result_items -> result_groups (group_code));
diesel::joinable!(sessions -> users (login));
diesel::joinable!(subregion_powiats -> powiats (powiat_code));
diesel::joinable!(subregion_powiats -> subregions (subregion_code));
diesel::joinable!(subregions -> regions (region_code));
diesel::joinable!(users -> regions (region_code));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    entities,
    entity_revisions,
    event_revisions,
    event_types,
    events,
    gmina_boundaries,
    gminas,
    indicators,
    login_failures,
    lpres,
    lpres_revisions,
    oidc_logins,
    one_time_links,
    owes,
    powiats,
    programme_targets,
    programmes,
    regions,
    report_revisions,
    reports,
    result_groups,
    result_items,
    rollup_versions,
    sessions,
    subregion_powiats,
    subregions,
    users,
);
