//! Time per call, every client in the same interleaved rounds, so that drift
//! in the machine's load reaches all of them alike.

use crate::calls::{Calls, Case, Variant};
use std::time::Instant;

const ROUNDS: usize = 15;
const CALLS_PER_BLOCK: u64 = 1_000;

/// Runs the rounds and prints one table row per case and client.
pub async fn print(calls: &Calls) {
    for case in Case::ALL {
        let variants: Vec<Variant> = Variant::ALL.into_iter().filter(|v| calls.supports(case, *v)).collect();
        // times[round][variant], µs per call.
        let mut times: Vec<Vec<f64>> = Vec::with_capacity(ROUNDS);
        for round in 0..ROUNDS {
            let mut row = vec![0.0; variants.len()];
            // A different variant goes first in each round.
            for k in 0..variants.len() {
                let i = (round + k) % variants.len();
                row[i] = timed(calls, case, variants[i]).await;
            }
            times.push(row);
        }
        print_case(case, &variants, &times);
    }
}

fn print_case(case: Case, variants: &[Variant], times: &[Vec<f64>]) {
    println!(
        "| {} ({ROUNDS} rounds of {CALLS_PER_BLOCK} calls) | median µs per call | vs raw reqwest, median of per-round ratios |",
        case.name()
    );
    println!("|---|---|---|");
    for (i, variant) in variants.iter().enumerate() {
        let us = median(times.iter().map(|row| row[i]).collect());
        let ratio = median(times.iter().map(|row| row[i] / row[0]).collect());
        println!("| {} | {us:.1} | {ratio:.3}× |", variant.name());
    }
    println!();
}

async fn timed(calls: &Calls, case: Case, variant: Variant) -> f64 {
    let start = Instant::now();
    calls.run(case, variant, CALLS_PER_BLOCK).await;
    start.elapsed().as_secs_f64() * 1e6 / CALLS_PER_BLOCK as f64
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
