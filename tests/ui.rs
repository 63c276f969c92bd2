//! Compile-time checks: every case in `tests/ui/fail` must be refused with the message in its
//! `.stderr`, and every case in `tests/ui/pass` must build.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
