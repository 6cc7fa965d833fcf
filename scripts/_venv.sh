# Sourced by scripts/test and scripts/dev: create .venv with Python >= 3.11 if needed and
# (re)install the project when pyproject.toml changed. Expects step() and die() from the caller.
# $1: the extras to install, e.g. "[dev]" or "".
extras=${1-}
venv=.venv
stamp="$venv/.complaint-service-install-stamp"

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'scripts/test: %s\n' "$*" >&2; exit 1; }

# Exit 0 when the interpreter given as $1 is Python 3.11 or newer.
is_supported_python() {
  "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

find_python() {
  local candidate
  for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && is_supported_python "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [[ -x $venv/bin/python ]] && ! is_supported_python "$venv/bin/python"; then
  die "$venv uses $("$venv/bin/python" --version 2>&1); remove it and rerun to rebuild it with Python >= 3.11"
fi

if [[ ! -x $venv/bin/python ]]; then
  python=$(find_python) || die "Python >= 3.11 not found (set PYTHON=/path/to/python3.11)"
  step "creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi

# Reinstall only when pyproject.toml changed since the last successful install.
wanted=$(sha256sum pyproject.toml | cut -d" " -f1)$extras
if [[ ! -f $stamp || $(<"$stamp") != "$wanted" ]]; then
  step "installing complaint-service${extras} into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".${extras}"
  printf '%s\n' "$wanted" >"$stamp"
fi

export PATH="$PWD/$venv/bin:$PATH"
