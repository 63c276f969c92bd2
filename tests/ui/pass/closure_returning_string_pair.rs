// A closure's return value is the closure's, even a string pair, even through `return`.
use carafe::prelude::*;

#[get("/closure")]
fn closure() -> impl IntoResponse {
    let pair = || ("k", "404");
    let early = |flag: bool| {
        if flag {
            return ("a", "500");
        }
        ("b", "200")
    };
    let labels: Vec<(&str, &str)> = [1, 2].iter().map(|_| ("x", "301")).collect();
    format!("{:?} {:?} {}", pair(), early(true), labels.len())
}

fn main() {
    let client = App::new().mount(routes![closure]).test_client();
    assert_eq!(
        client.get("/closure").send().text(),
        r#"("k", "404") ("a", "500") 2"#
    );
}
