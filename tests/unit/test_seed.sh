#!/usr/bin/env bash
# tests/unit/test_seed.sh - checks the seed migrations (sql/0002-0004) applied
# after the schema into a fresh database with the sqlite3 CLI: foreign keys,
# regions and departments, the category tree (codes, SLA, default departments,
# the deck's definitions, the 网络质量 schema), every fields_schema accepted by
# fields_schema_check() (built here with cc, skipped without it), phrases.
# Run from the repository root: bash tests/unit/test_seed.sh
# Prints "ok"/"not ok" lines; exits non-zero on any failure. Without the
# sqlite3 CLI it prints SKIP and exits 0.
set -u
cd "$(dirname "$0")/../.." || exit 1

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP: test_seed.sh needs the sqlite3 command-line shell"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/seed.db"
fails=0

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }
q() { sqlite3 -batch -noheader "$db" "$1"; }
# expect DESCRIPTION SQL WANT: the query's whole output must equal WANT
expect() {
	local got
	got=$(q "$2")
	if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1"; printf '  got:  %s\n  want: %s\n' "$got" "$3"; fi
}

if cat sql/0001_schema.sql sql/0002_reference.sql sql/0003_categories.sql sql/0004_phrases.sql \
	| sqlite3 -batch -bail "$db" >"$tmp/apply.log" 2>&1; then
	ok "0001-0004 apply to a fresh database"
else
	not_ok "0001-0004 apply to a fresh database"; cat "$tmp/apply.log"; exit 1
fi
# The migration runner wraps each file in one transaction: none may have its own.
if grep -qiE '^[[:space:]]*(BEGIN|COMMIT|END|ROLLBACK)\b' sql/0002_reference.sql sql/0003_categories.sql sql/0004_phrases.sql; then
	not_ok "seed files hold no transaction statements"
else
	ok "seed files hold no transaction statements"
fi

expect "foreign_key_check is empty" "PRAGMA foreign_key_check;" ""
expect "every fields_schema is valid JSON" \
	"SELECT count(*) FROM categories WHERE NOT json_valid(fields_schema) OR json_type(fields_schema) <> 'array';" "0"

# Regions and departments ---------------------------------------------------
expect "17 regions, PROV the only one without an area code" \
	"SELECT count(*), sum(area_code IS NULL), max(CASE WHEN area_code IS NULL THEN code END) FROM regions;" "17|1|PROV"
expect "area codes" \
	"SELECT group_concat(code || '=' || area_code, ' ') FROM (SELECT * FROM regions WHERE area_code IS NOT NULL ORDER BY sort);" \
	"KM=0871 QJ=0874 YX=0877 BS=0875 ZT=0870 LJ=0888 PE=0879 LC=0883 CX=0878 HH=0873 WS=0876 XSBN=0691 DL=0872 DH=0692 NJ=0886 DQ=0887"
expect "PCSC is the one centre" "SELECT group_concat(code) FROM departments WHERE kind = 'centre';" "PCSC"
expect "provincial handling departments" \
	"SELECT group_concat(code || ':' || name, ' ') FROM (SELECT * FROM departments WHERE kind = 'handling' AND region IS NULL ORDER BY sort);" \
	"VAS:增值业务中心 NET:网络运维部 BILL:计费结算中心 ENT:政企客户部"
expect "one branch per region, code = region, named <region>分公司" \
	"SELECT count(*) FROM regions r JOIN departments d ON d.code = r.code AND d.region = r.code AND d.kind = 'handling' AND d.name = r.name || '分公司' WHERE r.code <> 'PROV';" "16"
expect "branch 西双版纳" "SELECT name FROM departments WHERE code = 'XSBN';" "西双版纳分公司"

# Categories ----------------------------------------------------------------
leaf="NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id)"
expect "codes are uppercase segments; a child's code extends its parent's" \
	"SELECT count(*) FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
	  WHERE c.code NOT GLOB '[A-Z]*' OR c.code GLOB '*[^A-Z0-9.]*' OR c.code GLOB '*..*' OR c.code GLOB '*.'
	     OR (p.id IS NULL AND c.code GLOB '*.*')
	     OR (p.id IS NOT NULL AND (substr(c.code, 1, length(p.code) + 1) <> p.code || '.'
	                               OR instr(substr(c.code, length(p.code) + 2), '.') > 0));" "0"
expect "at most four levels" \
	"SELECT count(*) FROM categories WHERE length(code) - length(replace(code, '.', '')) > 3;" "0"
expect "every node has a default department of kind handling" \
	"SELECT count(*) FROM categories c LEFT JOIN departments d ON d.id = c.department_id WHERE d.kind IS NOT 'handling';" "0"
expect "SLA: 24 h for every 计费/资费 leaf, 48 h for every other leaf" \
	"SELECT count(*) FROM categories c WHERE $leaf AND sla_hours <> CASE WHEN code GLOB 'BILL.*' THEN 24 ELSE 48 END;" "0"
expect "every node has a description" "SELECT count(*) FROM categories WHERE description = '';" "0"
for code in VAS.MMS.FORCED VAS.MMS.INDUCED VAS.MMS.UNUSABLE VAS.MMS.TARIFF VAS.MMS.OTHER \
	VAS.DL.BREW.FORCED VAS.DL.BREW.NOCANCEL VAS.DL.BREW.OTHER \
	VAS.DL.JAVA.FORCED VAS.DL.JAVA.NOCANCEL VAS.DL.JAVA.OTHER VAS.OTHER \
	NET.SIGNAL NET.DROP NET.VOICE NET.DATA DATA.WBB.CONNECT \
	BILL.DISPUTE BILL.OTHER SVC.ATTITUDE BIZ.HANDLING; do
	expect "leaf $code exists" "SELECT count(*) FROM categories c WHERE code = '$code' AND $leaf;" "1"
done
expect "VAS leaves go to VAS" \
	"SELECT count(*) FROM categories c JOIN departments d ON d.id = c.department_id WHERE c.code GLOB 'VAS.*' AND $leaf AND d.code <> 'VAS';" "0"
expect "网络质量 and 数据业务 leaves go to NET" \
	"SELECT count(*) FROM categories c JOIN departments d ON d.id = c.department_id WHERE (c.code GLOB 'NET.*' OR c.code GLOB 'DATA.*') AND $leaf AND d.code <> 'NET';" "0"
expect "计费/资费 leaves go to BILL" \
	"SELECT count(*) FROM categories c JOIN departments d ON d.id = c.department_id WHERE c.code GLOB 'BILL.*' AND $leaf AND d.code <> 'BILL';" "0"
expect "the deck's wording for 移动多媒体邮箱 › 强行定制" \
	"SELECT description FROM categories WHERE code = 'VAS.MMS.FORCED';" \
	"指由于用户未定制而被收费引发的投诉数量。包括默认开通、SP系统有误等"

deck=${DECK:-../shared/domain/complaint-handling-deck.zh.txt}
if [ -f "$deck" ]; then
	missing=0
	while IFS= read -r line; do
		code=${line%%|*}; text=${line#*|}
		if ! grep -qF -- "$text" "$deck"; then echo "  not in the deck: $code $text"; missing=1; fi
	done < <(q "SELECT code || '|' || description FROM categories c WHERE code GLOB 'VAS.*' AND $leaf AND code <> 'VAS.MMS.UNUSABLE';")
	if [ $missing = 0 ]; then ok "VAS leaf definitions are the deck's, word for word"; else not_ok "VAS leaf definitions are the deck's, word for word"; fi
else
	echo "ok - # SKIP deck not found at $deck (set DECK=...)"
fi

net_schema='[{"name":"symptom","label":"故障现象","type":"text","required":true,"max":500},{"name":"calling_number","label":"主叫号码","type":"phone","required":true},{"name":"called_number","label":"被叫号码","type":"phone","required":true},{"name":"announcement","label":"听到的提示音","type":"text","required":true,"max":200},{"name":"location","label":"故障地点","type":"text","required":true,"max":200},{"name":"tried_other_device","label":"是否换卡/换机试过","type":"yesno","required":true},{"name":"persists_after_restart","label":"开关机后是否依旧","type":"yesno","required":true},{"name":"handset_model","label":"手机型号","type":"text","required":true,"max":100}]'
expect "every 网络质量 leaf has the deck's eight required fields" \
	"SELECT count(*) FROM categories c WHERE code GLOB 'NET.*' AND $leaf AND fields_schema <> json('$net_schema');" "0"
expect "non-leaves have no fields" \
	"SELECT count(*) FROM categories c WHERE NOT $leaf AND fields_schema <> '[]';" "0"

# Every schema through the C checker.
cc=${CC:-cc}
if command -v "$cc" >/dev/null 2>&1 && pkg-config --exists jansson 2>/dev/null; then
	cat >"$tmp/check.c" <<'EOF'
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongdan/fields.h"
int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	int bad = 0;
	while (getline(&line, &cap, stdin) > 0) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		json_error_t e;
		json_t *s = json_loads(tab + 1, 0, &e);
		struct gd_err err = {"not JSON", NULL};
		if (!s || fields_schema_check(s, &err) != GD_OK) {
			printf("  %s: %s\n", line, err.message);
			bad = 1;
		}
		json_decref(s);
	}
	free(line);
	return bad;
}
EOF
	# shellcheck disable=SC2046
	if "$cc" -std=c11 -Iinclude -o "$tmp/check" "$tmp/check.c" src/core/fields.c src/core/phone.c \
		src/base/utf8.c src/base/gd_err.c $(pkg-config --cflags --libs jansson) 2>"$tmp/cc.log"; then
		if q "SELECT code || char(9) || fields_schema FROM categories;" | "$tmp/check"; then
			ok "every fields_schema passes fields_schema_check()"
		else
			not_ok "every fields_schema passes fields_schema_check()"
		fi
	else
		not_ok "build the schema checker"; cat "$tmp/cc.log"
	fi
else
	echo "ok - # SKIP no C compiler or jansson: fields_schema_check() not run on the seed"
fi

# Phrases -------------------------------------------------------------------
expect "12 to 20 phrases" "SELECT count(*) BETWEEN 12 AND 20 FROM phrases;" "1"
expect "phrase kinds" \
	"SELECT count(*) FROM phrases WHERE kind NOT IN ('greeting', 'hold', 'apology', 'closing', 'follow_up', 'resolution', 'summary');" "0"
expect "every kind is seeded" "SELECT count(DISTINCT kind) FROM phrases;" "7"
expect "phrase states are workflow states" \
	"SELECT count(*) FROM phrases WHERE state IS NOT NULL AND state NOT IN ('draft', 'pending_dispatch', 'dispatched', 'in_progress', 'replied', 'closed');" "0"
expect "some phrases tied to a category, some to a state" \
	"SELECT sum(category_id IS NOT NULL) > 0 AND sum(state IS NOT NULL) > 0 FROM phrases;" "1"
expect "follow-up wording for replied tickets" "SELECT count(*) > 0 FROM phrases WHERE kind = 'follow_up' AND state = 'replied';" "1"
expect "the deck's greeting" "SELECT count(*) FROM phrases WHERE text = '您好！很高兴为您服务，请问有什么可以帮您？';" "1"

if [ $fails -ne 0 ]; then
	echo "test_seed.sh: $fails failed"
	exit 1
fi
echo "test_seed.sh: all passed"
