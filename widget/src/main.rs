fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(el_widget::Widget);
}
