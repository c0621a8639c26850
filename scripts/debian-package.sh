# Sourced by the check scripts: `needs_command <command> <Debian package> <why>` installs the
# package when the command is missing (CI runs on a fresh machine with only a JDK), with sudo
# when not root, refreshing the package lists only if the first attempt fails.
needs_command() {
  if command -v "$1" >/dev/null 2>&1; then return 0; fi
  echo "installing Debian's $2 ($3)"
  local sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get install -y -q "$2" >/dev/null 2>&1 \
    || { $sudo_cmd apt-get update -q >/dev/null && $sudo_cmd apt-get install -y -q "$2" >/dev/null; }
}
