#!/usr/bin/env bash
# php-fpm 8.2 (pm = static, 4 children) behind nginx on 127.0.0.1:$PORT, FastCGI over a unix socket in a temp dir.
# Both run in the foreground as children of this script and are stopped with it (trap; and a parent-death signal
# through setpriv in case the script itself is killed).
set -euo pipefail
: "${PORT:?}"
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/php-fpm-pdo.XXXXXX)
chmod 755 "$tmp"
fpm_user=""; fpm_flags=(-F -y "$tmp/php-fpm.conf")
if [ "$(id -u)" -eq 0 ]; then fpm_user=$'user = root\ngroup = root'; fpm_flags+=(-R); fi

cat > "$tmp/php-fpm.conf" <<CONF
[global]
pid = $tmp/php-fpm.pid
error_log = /proc/self/fd/2
daemonize = no

[www]
$fpm_user
listen = $tmp/php-fpm.sock
listen.mode = 0666
pm = static
pm.max_children = 4
clear_env = no
catch_workers_output = yes
decorate_workers_output = no
php_admin_flag[display_errors] = off
php_admin_flag[log_errors] = on
php_admin_value[error_log] = /proc/self/fd/2
CONF

cat > "$tmp/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/client_body;
  fastcgi_temp_path $tmp/fastcgi;
  proxy_temp_path $tmp/proxy;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$PORT;
    root $here/public;
    location ~ \.php\$ {
      try_files \$uri =404;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass unix:$tmp/php-fpm.sock;
    }
    location / { return 404; }
  }
}
CONF

pids=()
cleanup() {
  trap - TERM INT EXIT
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup TERM INT EXIT

setpriv --pdeathsig TERM -- /usr/sbin/php-fpm8.2 "${fpm_flags[@]}" & pids+=($!)
for _ in $(seq 1 50); do [ -S "$tmp/php-fpm.sock" ] && break; sleep 0.1; done
setpriv --pdeathsig TERM -- /usr/sbin/nginx -e stderr -p "$tmp" -c "$tmp/nginx.conf" & pids+=($!)
wait -n
