// What a figure of a page should say: the JSON rollup's value, as the JSON writes it.
export const raw = (v) => (v === null || v === undefined ? '' : JSON.stringify(v));
// JSON numbers compare as numbers (the page writes what serde writes, e.g. 1234.50 for money).
export const same = (want, got) => want === got || (want !== '' && got !== '' && Number(want) === Number(got));

/** The JSON rollup's value for a figure of a page, as the JSON writes it. */
export function expected(rollup, figure, scope) {
  const own = rollup.scope.code === scope;
  const by = (list, key) => (list || []).find((s) => s[key] === scope) || {};
  if (figure === 'completeness') {
    if (own) return raw(rollup.completeness.rate);
    const sub = by(rollup.completeness.by_subregion, 'subregion');
    return raw(sub.subregion ? sub.rate : by(rollup.completeness.by_owes, 'owes').rate);
  }
  if (figure === 'lpres_adopted') {
    return raw(own ? rollup.lpres.adopted : by(rollup.lpres.by_subregion, 'subregion').adopted);
  }
  if (figure.startsWith('result_')) {
    return raw((rollup.results.find((r) => r.code === figure.slice(7)) || {}).gminas);
  }
  const ind = rollup.indicators.find((i) => i.code === figure);
  if (!ind) return undefined;
  if (own) return raw(ind.value);
  return raw(ind.by_subregion ? by(ind.by_subregion, 'subregion').value : by(ind.by_owes, 'owes').value);
}

