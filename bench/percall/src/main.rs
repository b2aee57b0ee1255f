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
