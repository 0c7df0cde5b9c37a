#!/bin/bash
# offsets.sh - the alias table read from DWARF (offsets/dwarf.c), checked
# on crafted structs whose offsets the compiler itself reports.
#
#   tests/offsets.sh
#
# Compiles tests/offsets/sample.c twice: with gcc -g -c into an object file
# (relocatable: read through libdwfl, which applies .rela.debug_*), and with
# -DSAMPLE_MAIN into a program that prints offsetof() of the members the
# checks name. Runs build/aliasdump (made first: make offsets-tool) on the
# object file and checks, for each crafted struct: an embedded list_head's
# alias at its offsetof; two levels of nesting and no third; anonymous
# union and struct members flattened into the parent; bit fields skipped;
# an array of structs counted by its first element; typedef'd and
# qualified struct members; a named union; a declaration not taken. Then:
# the same table from DWARF 2, 3, 4 and 5, from type units (.debug_types,
# DW_UT_type: in a linked program, as in a vmlinux), from zlib-compressed
# sections, and through the cache file (a program has a build id); a
# second object's new type merged (-m) as a module's would be; zstd-
# compressed sections and a file that is not ELF refused with a message,
# and copies with damaged .debug_info read or refused, never a crash
# (tests/offsets/mutate.py). When the 6.1 vmlinux is in the kernel cache, also its
# table: built in under 30 s, saved and loaded back the same, and a few
# known embedded members (task_struct.tasks, inode.i_lru) among the
# aliases.
# Prints PASS:/FAIL: lines and "N passed, N failed"; exit status 1 if
# anything failed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/fixture/common.sh"
TOOL=$REPO/build/aliasdump
SAMPLE=$REPO/tests/offsets/sample.c
TYPES="t_list t_nested t_anon t_bits t_array t_typedef t_deep t_union"
NPASS=0
NFAIL=0
pass() { echo "PASS: offsets: $*"; NPASS=$((NPASS + 1)); }
fail() { echo "FAIL: offsets: $*"; NFAIL=$((NFAIL + 1)); }
finish() {
	echo "$NPASS passed, $NFAIL failed"
	[ "$NFAIL" = 0 ]
	exit
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kmemleak-offsets.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
export XDG_CACHE_HOME=$WORK/cache

make -s -C "$REPO" offsets-tool >"$WORK/make.log" 2>&1 ||
	{ fail "make offsets-tool: $(tail -n 3 "$WORK/make.log")"; finish; }
gcc -g -c -o "$WORK/sample.o" "$SAMPLE" &&
	gcc -g -DSAMPLE_MAIN -o "$WORK/sample" "$SAMPLE" &&
	"$WORK/sample" >"$WORK/offsetof.txt" ||
	{ fail "cannot compile or run $SAMPLE"; finish; }

# offsetof of "type.member" (from the program).
off() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/offsetof.txt"; }

# The table of the object file, one type at a time.
"$TOOL" -n "$WORK/sample.o" $TYPES t_declared >"$WORK/dump.txt" 2>"$WORK/dump.err"
rc=$?
[ "$rc" = 1 ] && grep -qx 'type t_declared: not found' "$WORK/dump.txt" &&
	pass "a struct only declared has no entry (exit status 1 for it)" ||
	fail "t_declared: exit status $rc, $(grep t_declared "$WORK/dump.txt")"

# The lines of one type's section of the dump.
section() {
	awk -v t="$1" '/^type / { on = ($2 == t) } on' "$WORK/dump.txt"
}
# The type's alias offsets, sorted, on one line.
aliases() { section "$1" | awk '$1 == "alias" { print $2 }' | sort -n | xargs; }
# The type's member names, in order, on one line.
members() { section "$1" | awk '$1 == "member" { print $4 }' | xargs; }
# Whether the type lists "member OFFSET SIZE NAME".
has_member() { section "$1" | grep -Fqx "member $2 $3 $4"; }
# Whether the type's alias OFFSET is named NAME by member_at.
alias_named() { section "$1" | grep -Fqx "alias $2 $3"; }
# The numbers given, sorted, on one line.
sorted() { printf '%s\n' "$@" | sort -n | xargs; }

expect_aliases() { # type, what it is, offsets...
	local type=$1 what=$2 got want
	shift 2
	got=$(aliases "$type")
	want=$(sorted "$@")
	[ "$got" = "$want" ] && pass "$type: $what (aliases $got)" ||
		fail "$type: $what: aliases '$got', want '$want'"
}

# 1. an embedded list_head at its offsetof
o=$(off t_list.node)
expect_aliases t_list "embedded list_head at offsetof(node)" "$o"
has_member t_list "$o" 16 node && alias_named t_list "$o" node.next &&
	pass "t_list: member node at $o, the alias named node.next" ||
	fail "t_list: member node at $o: $(section t_list | xargs)"

# 2. two levels: inner, and inner's rb and lru; rcu
expect_aliases t_nested "two levels deep" "$(off t_nested.inner)" \
	"$(off t_nested.inner.rb)" "$(off t_nested.inner.lru)" \
	"$(off t_nested.rcu)"
has_member t_nested "$(off t_nested.inner.lru)" 16 inner.lru &&
	has_member t_nested "$(off t_nested.inner.rb)" 24 inner.rb &&
	pass "t_nested: level-2 members named inner.rb, inner.lru" ||
	fail "t_nested: members $(members t_nested)"

# 3. level 3 is not read: t_deep.nested.inner.rb is no alias
expect_aliases t_deep "three levels: the third not read" \
	"$(off t_deep.nested)" "$(off t_deep.nested.inner)" "$(off t_deep.nested.rcu)"
section t_deep | grep -q 'nested\.inner\.' &&
	fail "t_deep: a level-3 member listed" ||
	pass "t_deep: no level-3 member listed"

# 4. anonymous union and struct flattened
expect_aliases t_anon "anonymous union/struct flattened" \
	"$(off t_anon.lru)" "$(off t_anon.cb)"
m=$(members t_anon)
[ "$m" = "state lru mapping lru.next cb cb.next lru.prev cb.func after" ] &&
	has_member t_anon "$(off t_anon.mapping)" 8 mapping &&
	has_member t_anon "$(off t_anon.after)" 8 after &&
	pass "t_anon: members of the anonymous members are the parent's ($m)" ||
	fail "t_anon: members '$m'"

# 5. bit fields skipped
o=$(off t_bits.list)
m=$(members t_bits)
expect_aliases t_bits "bit fields around a list_head" "$o"
[ "$m" = "list list.next list.prev" ] &&
	section t_bits | grep -qx "type t_bits size $(off sizeof.t_bits) aliases 1 members 3" &&
	pass "t_bits: the bit fields skipped, members '$m'" ||
	fail "t_bits: members '$m'"

# 6. an array of structs: its first element
o=$(off t_array.heads)
expect_aliases t_array "array of list_heads: first element only" "$o"
has_member t_array "$o" 64 heads && has_member t_array "$o" 8 'heads[0].next' &&
	! section t_array | grep -q 'heads\[1\]' &&
	has_member t_array "$(off t_array.name)" 16 name &&
	pass "t_array: heads (64 bytes) and heads[0].next, .prev; no heads[1]" ||
	fail "t_array: members $(members t_array)"
[ "$(off 't_array.heads[1]')" != "$o" ] &&
	! aliases t_array | grep -qw "$(off 't_array.heads[1]')" &&
	pass "t_array: heads[1] (at $(off 't_array.heads[1]')) is no alias" ||
	fail "t_array: heads[1] is an alias"

# 7. typedef'd, const and volatile struct members
expect_aliases t_typedef "typedef, const typedef, volatile struct members" \
	"$(off t_typedef.link)" "$(off t_typedef.frozen)" "$(off t_typedef.rb)"
has_member t_typedef "$(off t_typedef.frozen)" 16 frozen &&
	has_member t_typedef "$(off t_typedef.rb)" 24 rb &&
	pass "t_typedef: sizes through typedef chains" ||
	fail "t_typedef: $(section t_typedef | grep member | xargs)"

# 8. a named union member
o=$(off t_union.u)
expect_aliases t_union "a named union member" "$o"
has_member t_union "$o" 24 u.rb && has_member t_union "$o" 16 u.list &&
	pass "t_union: the union's members at level 2" ||
	fail "t_union: members $(members t_union)"

# ---- the same table by other routes --------------------------------------

# The dump of FILE (an aliasdump run with options), without the figures.
dump_of() {
	"$TOOL" "$@" $TYPES 2>&1 | grep -v '^FIGURE'
}
grep -v '^FIGURE' "$WORK/dump.txt" | grep -v t_declared >"$WORK/ref.txt"

same_table() { # what, aliasdump arguments...
	local what=$1
	shift
	if dump_of "$@" >"$WORK/other.txt" && cmp -s "$WORK/ref.txt" "$WORK/other.txt"; then
		pass "$what: the same table"
	else
		fail "$what: $(diff "$WORK/ref.txt" "$WORK/other.txt" | head -n 4 | xargs)"
	fi
}

for flags in "-gdwarf-2" "-gdwarf-3" "-gdwarf-4" "-gdwarf-5" "-g -O2"; do
	gcc $flags -c -o "$WORK/v.o" "$SAMPLE" || { fail "gcc $flags"; continue; }
	same_table "object file, gcc $flags" -n "$WORK/v.o"
done
for flags in "-gdwarf-4 -fdebug-types-section" "-gdwarf-5 -fdebug-types-section"; do
	gcc $flags -DSAMPLE_MAIN -o "$WORK/v" "$SAMPLE" || { fail "gcc $flags"; continue; }
	same_table "type units, linked program, gcc $flags" -n "$WORK/v"
done
objcopy --compress-debug-sections=zlib "$WORK/sample" "$WORK/sample-zlib" &&
	same_table "program with zlib-compressed sections" -n "$WORK/sample-zlib"
objcopy --compress-debug-sections=zlib "$WORK/sample.o" "$WORK/sample-zlib.o" &&
	same_table "object file with zlib-compressed sections" -n "$WORK/sample-zlib.o"

# the cache: a program has a build id; saved, loaded back, compared
"$TOOL" "$WORK/sample" >"$WORK/cache.txt" 2>&1
rc=$?
file=$(sed -n 's/^FIGURE cache: \([^,]*\),.*/\1/p' "$WORK/cache.txt")
[ "$rc" = 0 ] && [ -s "$file" ] && [[ $file == "$XDG_CACHE_HOME"/kmemleak/aliases-*.bin ]] &&
	pass "cache: saved under XDG_CACHE_HOME by build id and loaded back the same" ||
	fail "cache: exit status $rc, file '$file': $(tail -n 2 "$WORK/cache.txt" | xargs)"

# a module's table merged: its new type added, its known ones not
cat >"$WORK/module.c" <<'EOF'
struct list_head { struct list_head *next, *prev; };
struct t_list { long key; struct list_head node; int tail; };
struct t_module { char name[24]; struct list_head node; };
struct t_list v_list;
struct t_module v_module;
EOF
gcc -g -c -o "$WORK/module.o" "$WORK/module.c" &&
	"$TOOL" -n -m "$WORK/module.o" "$WORK/sample.o" t_module >"$WORK/merge.txt" 2>&1
grep -q "^FIGURE module .*: 3 types, 1 new$" "$WORK/merge.txt" &&
	grep -qx 'alias 24 node.next' "$WORK/merge.txt" &&
	pass "merge: a module's 3 types, 1 new (t_module, alias 24)" ||
	fail "merge: $(grep -v '^member' "$WORK/merge.txt" | xargs)"

# ---- refusals ------------------------------------------------------------

refused() { # what, file, the message's words
	local what=$1 file=$2 words=$3 rc
	"$TOOL" -n "$file" >"$WORK/refused.txt" 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -q "$words" "$WORK/refused.txt"; then
		pass "$what refused: $(grep aliasdump: "$WORK/refused.txt" | cut -c1-110)"
	else
		fail "$what: exit status $rc: $(head -n 2 "$WORK/refused.txt" | xargs)"
	fi
}

if objcopy --compress-debug-sections=zstd "$WORK/sample" "$WORK/sample-zstd" 2>/dev/null; then
	if dump_of -n "$WORK/sample-zstd" >"$WORK/zstd.txt" 2>&1 &&
		cmp -s "$WORK/ref.txt" "$WORK/zstd.txt"; then
		pass "zstd-compressed sections: read (this elfutils has zstd)"
	else
		refused "zstd-compressed sections" "$WORK/sample-zstd" "compressed with zstd"
	fi
else
	pass "zstd: objcopy cannot compress with zstd here, nothing to check"
fi
printf 'not an ELF file\n' >"$WORK/text"
refused "a text file" "$WORK/text" "not an ELF file"
refused "a missing file" "$WORK/missing" "No such file"
strip -g -o "$WORK/stripped" "$WORK/sample"
refused "a program without DWARF" "$WORK/stripped" "no DWARF"

# damaged DWARF: copies with bytes of .debug_info changed are read or
# refused, never a crash (an exit status above 1, a signal)
for f in sample sample.o; do
	mkdir -p "$WORK/mut-$f"
	python3 "$REPO/tests/offsets/mutate.py" "$WORK/$f" "$WORK/mut-$f" 150 ||
		{ fail "damaged copies of $f not made"; continue; }
	bad=0
	refused=0
	for m in "$WORK/mut-$f"/mut*; do
		"$TOOL" -n "$m" $TYPES >/dev/null 2>&1
		rc=$?
		[ "$rc" = 1 ] && refused=$((refused + 1))
		[ "$rc" -gt 1 ] && { bad=$((bad + 1)); echo "    $m: exit status $rc"; }
	done
	[ "$bad" = 0 ] &&
		pass "damaged DWARF: 150 copies of $f, $refused refused or missing a type, none crashed" ||
		fail "damaged DWARF: $bad of 150 copies of $f crashed (KEEP=1 keeps them)"
done

# ---- a real vmlinux, when the kernel cache has one -------------------------

VMLINUX=$CACHE/kernel/$DEFAULT_KVER/vmlinux
if [ -s "$VMLINUX" ]; then
	start=$SECONDS
	"$TOOL" "$VMLINUX" task_struct inode list_head >"$WORK/vmlinux.txt" 2>&1
	rc=$?
	took=$((SECONDS - start))
	grep '^FIGURE' "$WORK/vmlinux.txt" | sed 's/^/    /'
	dump=$WORK/vmlinux.txt
	member_off() { awk -v t="$1" -v m="$2" '/^type / { on = ($2 == t) } on && $1 == "member" && $4 == m { print $2 }' "$dump"; }
	is_alias() { awk -v t="$1" -v o="$2" '/^type / { on = ($2 == t) } on && $1 == "alias" && $2 == o { f = 1 } END { exit !f }' "$dump"; }
	tasks=$(member_off task_struct tasks)
	lru=$(member_off inode i_lru)
	if [ "$rc" = 0 ] && [ "$took" -lt 30 ] && [ -n "$tasks" ] && [ -n "$lru" ] &&
		is_alias task_struct "$tasks" && is_alias inode "$lru" &&
		grep -q '^type list_head size 16 aliases 0 members 2$' "$dump"; then
		pass "vmlinux $DEFAULT_KVER: built, cached and loaded back in ${took} s; task_struct.tasks ($tasks) and inode.i_lru ($lru) are aliases"
	else
		fail "vmlinux $DEFAULT_KVER: exit status $rc in ${took} s, tasks '$tasks', i_lru '$lru'"
	fi
else
	echo "SKIP: offsets: no $VMLINUX"
fi

finish
