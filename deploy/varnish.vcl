# Varnish in front of newsroom: caches what the app marks public, for as long as it says, and
# drops exactly the pages a change touched when the app purges their keys.
#
# The app (newsroom/pagecache.py) marks an anonymous page `Cache-Control: public, max-age=0,
# s-maxage=N, stale-while-revalidate=N` and names what it shows in `Surrogate-Key`. On every
# change it sends `PURGE /` with those keys in `xkey-purge` (newsroom/purge.py, XkeyPurger).
# Anything else (signed-in pages, forms, the admin, errors) is passed to the app untouched.
#
# Needs Debian's varnish and varnish-modules (vmod xkey). The backend is the balancer in front
# of the app servers (deploy/haproxy.cfg); deploy/local-cluster.sh writes its address in.
vcl 4.1;

import xkey;

backend balancer {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

# Who may purge: the app servers. Nobody else can empty the cache.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }

    # The client's own claims about its address are the app's to weigh (newsroom/clients.py):
    # Varnish appends the address it saw, the balancer the one it saw (Varnish's).
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Personal pages: a signed-in reader or editor (session), a message waiting to be shown.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # The admin, account pages and the health check are never cached here either.
    if (req.url ~ "^/(admin|accounts)/" || req.url ~ "^/healthz") {
        return (pass);
    }
    # Anonymous: no cookie matters to the page (the app stores a page only when it is the same
    # for every anonymous reader), so one copy serves everyone, whatever csrftoken they carry.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_hash {
    # Page addresses include the scheme, as the app's own page cache does: an http page is never
    # handed to https readers (the TLS terminator in front sets X-Forwarded-Proto).
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_response {
    # Only what the app marks public, and only for as long as it says (s-maxage). A 404, a form
    # page, a redirect or an error without such a mark is fetched again every time.
    if (beresp.http.Cache-Control !~ "public" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # The keys xkey indexes: the app's Surrogate-Key (space separated, as xkey reads them).
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Vary: Cookie is for browsers and other shared caches; here the Cookie header of a cached
    # request has been removed, so every anonymous reader shares one copy.
    return (deliver);
}

sub vcl_deliver {
    # What readers never need to see: the purge index and the app's internal marks.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    # Whether this answer came from Varnish (for the cluster test and for operators).
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}

sub vcl_synth {
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    synthetic(resp.reason);
    return (deliver);
}
