//! Doctor's findings in words, or as one JSON object.

use serde_json::{Value as Json, json};

use super::Findings;

pub fn print(f: &Findings, as_json: bool) {
    if as_json {
        println!("{}", to_json(f));
        return;
    }
    println!("Redis {} ({})", f.version, f.topology);
    for m in &f.masters {
        println!("  master {m}");
    }
    if f.groups.is_empty() {
        println!("Socket.IO servers: none found");
    } else {
        println!("Socket.IO servers:");
        for g in &f.groups {
            let what = if g.is_streams_02() { "stream" } else { "key" };
            let mode = g
                .mode
                .as_ref()
                .map(|m| format!(" ({m} subscription mode)"))
                .unwrap_or_default();
            println!(
                "  {what} {:?}, namespace {:?}: {} server(s), {} adapter{mode}",
                g.key, g.nsp, g.servers, g.adapter
            );
        }
    }
    println!("{}", buffer_words(&f.buffer));
    match &f.user {
        Some(user) => println!("ACL: connected as {user:?}"),
        None => println!("ACL: the user is unknown (ACL WHOAMI refused)"),
    }
    for p in &f.permissions {
        let state = match p.allowed {
            Some(true) => "allowed".to_owned(),
            Some(false) => format!("DENIED: {}", p.detail),
            None => p.detail.clone(),
        };
        println!("  {}: {state}", p.command);
    }
    let t = &f.target;
    let default = if t.adapter.is_none() {
        " (default)"
    } else {
        ""
    };
    let rooms = if t.to.is_empty() {
        String::new()
    } else {
        format!(", rooms {:?}", t.to)
    };
    println!(
        "Target: key {:?}, namespace {:?}{rooms}, adapter {}{default}",
        t.key,
        t.nsp,
        t.adapter()
    );
    let label = if f.verdict.servers > 0 {
        "OK"
    } else {
        "PROBLEM"
    };
    println!("  {label}: {}", f.verdict.explanation);
}

/// The Pub/Sub output-buffer limit and what it means for bursts.
fn buffer_words(buffer: &Json) -> String {
    if let Some(e) = buffer.get("error") {
        let e = e.as_str().unwrap_or_default();
        return format!("Pub/Sub output buffer: unknown, CONFIG GET was refused or failed ({e})");
    }
    let n = |k: &str| buffer.get(k).and_then(Json::as_u64).unwrap_or(0);
    let (hard, soft, secs) = (n("hard_bytes"), n("soft_bytes"), n("soft_seconds"));
    if hard == 0 && soft == 0 {
        return "Pub/Sub output buffer: no limit; a slow server only costs Redis memory".into();
    }
    format!(
        "Pub/Sub output buffer: Redis disconnects a server whose unread messages pass {} \
         (or {} for {secs} s).\n  WARNING: a burst of large emits towards a slow server can \
         cut it off (it then misses messages until its adapter resubscribes). Raise \
         `client-output-buffer-limit pubsub` if you publish big payloads in bursts.",
        mib(hard),
        mib(soft)
    )
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes as f64 / 1048576.0)
}

fn to_json(f: &Findings) -> Json {
    let groups: Vec<Json> = f
        .groups
        .iter()
        .map(|g| {
            json!({"key": g.key, "nsp": g.nsp, "adapter": g.adapter,
                "subscription_mode": g.mode, "servers": g.servers, "evidence": g.evidence})
        })
        .collect();
    let permissions: Vec<Json> = f
        .permissions
        .iter()
        .map(|p| json!({"command": p.command, "allowed": p.allowed, "detail": p.detail}))
        .collect();
    json!({
        "redis": {"version": f.version, "topology": f.topology, "masters": f.masters},
        "servers": groups,
        "pubsub_output_buffer": f.buffer,
        "acl": {"user": f.user, "permissions": permissions},
        "target": {
            "key": f.target.key,
            "nsp": f.target.nsp,
            "to": f.target.to,
            "adapter": f.target.adapter(),
            "servers": f.verdict.servers,
            "problem": f.verdict.problem,
            "explanation": f.verdict.explanation,
        },
    })
}
