# tests/servers/nginx_conf.sh — sourced: nginx_conf DIR HTTP writes
# DIR/nginx.conf for an nginx run in the foreground (`nginx -p DIR -c
# DIR/nginx.conf &`) by an unprivileged test or bench: two workers, its
# pid, log and temporary files in DIR, no access log, and HTTP (the
# upstreams and servers) inside its http block. Used by bench/serve.sh
# (the `return 200` ceiling), bench/replicas.sh and tests/servers/cluster.sh
# (the load balancer).
nginx_conf() {
    mkdir -p "$1"
    cat > "$1/nginx.conf" <<NGINXEOF
worker_processes 2;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $1/body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
$2
}
NGINXEOF
}
