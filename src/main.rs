/// Talc in place of Rust's default dlmalloc: less code to download and faster
/// allocation in wasm (README, Bundles).
// SAFETY: the app runs in the browser's main thread only: single-threaded wasm.
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(external_lines::App);
}
