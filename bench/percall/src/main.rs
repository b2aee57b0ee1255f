//! Per-call overhead of polvo's whole runtime stack (auth, retry, rate
//! limit, hooks, tracing span, decoding) against the same call made with
//! reqwest by hand and with a progenitor-generated client, all against one
//! in-process axum server on 127.0.0.1, in one run.
//!
//! Prints, as Markdown: the size of each call's future and the heap
//! allocations per call (neither depends on the machine's load), then the
//! time per call in interleaved rounds (medians).

mod alloc;
mod calls;
mod server;
mod timing;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = server::start()?;
    // The calls run on this thread only, so the allocator counts them and
    // not the server.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let calls = calls::Calls::new(&base)?;
        calls.check().await;
        // PERCALL_PROFILE=<variant index> [PERCALL_N]: only small GETs of
        // that variant (0 raw, 1 raw+timeout, 2 polvo bearer, 3 polvo OAuth),
        // for a profiler.
        // PERCALL_TRACE=<variant index>: the stack of every allocation one
        // small GET of that variant makes, on stderr.
        if let Ok(index) = std::env::var("PERCALL_TRACE") {
            let variant = calls::Variant::ALL[index.parse::<usize>()?];
            calls.run(calls::Case::SmallGet, variant, 200).await;
            let (allocations, bytes) = alloc::traced(calls.run(calls::Case::SmallGet, variant, 1)).await;
            println!("{}: {allocations} allocations, {bytes} bytes", variant.name());
            return Ok(());
        }
        if let Ok(index) = std::env::var("PERCALL_PROFILE") {
            let variant = calls::Variant::ALL[index.parse::<usize>()?];
            let n = std::env::var("PERCALL_N").ok().and_then(|n| n.parse().ok()).unwrap_or(200_000);
            let start = std::time::Instant::now();
            calls.run(calls::Case::SmallGet, variant, n).await;
            println!("{}: {:.2} µs per call", variant.name(), start.elapsed().as_secs_f64() * 1e6 / n as f64);
            return Ok(());
        }
        print_sizes(&calls);
        print_allocations(&calls).await;
        timing::print(&calls).await;
        Ok(())
    })
}

fn print_sizes(calls: &calls::Calls) {
    println!("| call future | bytes |");
    println!("|---|---|");
    for (name, bytes) in calls.future_sizes() {
        println!("| {name} | {bytes} |");
    }
    println!();
}

async fn print_allocations(calls: &calls::Calls) {
    const N: u64 = 2_000;
    println!("| heap allocations per call ({N} sequential calls, after a warm-up) | allocations | bytes |");
    println!("|---|---|---|");
    for case in calls::Case::ALL {
        for variant in calls::Variant::ALL {
            if !calls.supports(case, variant) {
                continue;
            }
            calls.run(case, variant, 200).await;
            let (allocations, bytes) = alloc::counted(calls.run(case, variant, N)).await;
            let (per_call, bytes_per_call) = (allocations as f64 / N as f64, bytes as f64 / N as f64);
            println!("| {}, {} | {per_call:.1} | {bytes_per_call:.0} |", case.name(), variant.name());
        }
    }
    println!();
}
