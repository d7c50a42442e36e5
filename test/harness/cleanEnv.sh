# Sourced by every harness script that runs npm. An outer `npm test` or `npm run demo` (started by
# whatever Node and npm the machine has) exports its own settings to its children: npm_config_*
# (user agent, nodedir, prefix…), npm_package_*, npm_lifecycle_*, INIT_CWD, NODE, and PATH entries
# for its node-gyp and node_modules/.bin. A nested install must not see them: code-server's
# postinstall reads the user agent and refuses any Node but 24, and native builds would pick the
# outer Node's headers. Registry, proxy and CA settings stay; so do PATH, HOME and the rest.
nimbusguard_clean_npm_env() {
  local name lower dir kept=""
  for name in $(compgen -e); do
    lower="${name,,}"
    case "$lower" in
      npm_config_registry | npm_config_proxy | npm_config_http_proxy | npm_config_https_proxy | \
        npm_config_noproxy | npm_config_no_proxy | npm_config_cafile | npm_config_ca | \
        npm_config_strict_ssl | npm_config_cert | npm_config_key) ;;
      npm_* | init_cwd | node) unset "$name" ;;
    esac
  done
  local IFS=:
  for dir in $PATH; do
    case "$dir" in
      */node_modules/.bin | */node-gyp-bin) ;;
      *) kept="${kept:+$kept:}$dir" ;;
    esac
  done
  export PATH="$kept"
}
nimbusguard_clean_npm_env
