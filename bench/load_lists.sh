#!/usr/bin/env bash
# Imports the sample lists (ACCORD_SANCTIONS_DATA, /work/shared/data/sanctions here) and the
# demo's EU list (crates/server/demo/eu-arden.xml, which designates the entities the
# bundled nuclear-caps agreement names, as `accord serve --demo` does) into STORE, for the
# `status` measurements of issue #13. Each source is one `accord lists import`.
#
#   STORE=sqlite:/tmp/b/bench.db bench/load_lists.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD="${ACCORD:-target/release/accord}"
D="${ACCORD_SANCTIONS_DATA:?the sample lists}"
: "${STORE:?STORE=sqlite:PATH}"
imp() { echo "import $*"; /usr/bin/time -f "  %e s, %M KB" "$ACCORD" lists import --store "$STORE" --observed-at 2026-01-01 "$@" 2>&1 | tail -2 || echo "  (refused: see above)"; }
imp crates/server/demo/eu-arden.xml --source eu-fsf
imp "$D/un_sc/UN_consolidated.xml"
imp "$D/ofac_sdn_csv/sdn.csv" "$D/ofac_sdn_csv/add.csv" "$D/ofac_sdn_csv/alt.csv" "$D/ofac_sdn_csv/sdn_comments.csv"
imp "$D/ofac_cons_csv/cons_prim.csv" --source ofac-cons
imp "$D/us_csl/csl.csv"
imp "$D/us_bis_dpl/dpl.txt"
imp "$D/uk_ofsi/sanctionsconlist.csv"
imp "$D/uk_fcdo/sample_uk_sanctions.xml"
imp "$D/eu_fsf/sample_eu_fsf.xml" --source eu-fsf-sample
imp "$D/eu_journal/32026R1848.csv"
imp "$D/opensanctions_ftm/entities.ftm.json"
imp "$D/ofac_advanced_xml/sample_sdn_advanced.xml" --source ofac-sdn-advanced
