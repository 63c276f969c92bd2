//! Compile-time checks: every case in `tests/ui/fail` must be refused with the message in its
//! `.stderr`, and every case in `tests/ui/pass` must build. `render_template!`'s cases are in
//! `tests/ui/render_template`, beside the `templates/` folders they read (which the apps of the other
//! cases must not find).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/render_template/fail/*.rs");
    cases.pass("tests/ui/render_template/pass/*.rs");
}
