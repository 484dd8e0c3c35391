//! The coverage sheet (Pokrycie): gminas covered by reintegration entities per kind and by
//! any kind, for the rollup's scope and its subregions, then the gminas no entity serves.

use super::{Cell, Names, Sheet, Shown};
use rops_aggregation::rollup::{KindCoverage, Rollup};

pub(super) fn coverage(r: &Rollup, names: &Names) -> Sheet {
    let c = &r.coverage;
    let mut rows = Vec::new();
    let mut push = |level: &str, unit: &str, by_kind: &[KindCoverage]| {
        for k in by_kind {
            rows.push(vec![
                Cell::Text(level.to_owned()),
                Cell::Text(unit.to_owned()),
                Cell::Text(names.unit(level, unit)),
                Cell::Text(k.kind.as_str().to_owned()),
                Cell::count(k.gminas),
                Cell::Number(k.share, Shown::Share),
            ]);
        }
    };
    push(r.scope.kind().as_str(), r.scope.code(), &c.by_kind);
    for s in c.by_subregion.iter().flatten() {
        push("subregion", s.subregion.as_str(), &s.by_kind);
    }
    for teryt in &c.uncovered {
        rows.push(vec![
            Cell::Text("gmina".to_owned()),
            Cell::Text(teryt.to_string()),
            Cell::Text(names.unit("gmina", teryt.as_str())),
            Cell::Text("none".to_owned()),
            Cell::empty(),
            Cell::empty(),
        ]);
    }
    Sheet {
        headers: &[
            "poziom",
            "jednostka",
            "nazwa jednostki",
            "rodzaj podmiotu",
            "gminy objęte",
            "udział",
        ],
        rows,
    }
}
