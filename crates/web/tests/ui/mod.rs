//! Driving Debian's Chromium through chromedriver (WebDriver) for the browser tests: a driver on
//! a free port, a headless session of a given width, and the few actions a person takes.
#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A fresh folder for browser profiles (named `tag` and the process) and the screenshots folder,
/// `target/screenshots/`.
pub fn dirs(tag: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let tmp = std::env::temp_dir().join(format!("{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    (tmp, shots)
}

/// A chromedriver process on a free port, killed on drop.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let mut child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin} ({e}); install Debian's chromium and chromium-driver (scripts/setup does)"));
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Driver { child, port };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not start");
}

pub async fn browser(driver: &Driver, profile_dir: &std::path::Path, width: u32) -> Client {
    // Two TLS providers are compiled in (the SMS gateway's and the WebDriver client's): name one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let chrome = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chrome,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN",
                     format!("--user-data-dir={}", profile_dir.display()), format!("--window-size={},1100", width.max(500))]
        }
    });
    // Headless windows are at least 500 px wide: a phone is emulated (its width, touch, the
    // viewport meta honoured), so a "390 px" screenshot is 390 CSS px.
    if width < 500 {
        caps["goog:chromeOptions"]["mobileEmulation"] =
            serde_json::json!({ "deviceMetrics": { "width": width, "height": 844, "pixelRatio": 2.0, "touch": true, "mobile": true } });
    }
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("WebDriver session")
}

pub struct Ui {
    pub c: Client,
    pub base: String,
    pub shots: std::path::PathBuf,
}

impl Ui {
    pub async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}"));
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }
    pub async fn click(&self, css: &str) {
        self.c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}")).click().await.unwrap();
    }
    /// Clicks something that loads a new page and waits until the old page is gone.
    pub async fn click_nav(&self, css: &str) {
        let old = self.c.find(Locator::Css("html")).await.unwrap();
        self.click(css).await;
        for _ in 0..200 {
            if old.tag_name().await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking {css} did not load a new page");
    }
    pub async fn text(&self, css: &str) -> String {
        self.c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("no {css}"))
            .text()
            .await
            .unwrap()
    }
    pub async fn body(&self) -> String {
        self.text("body").await
    }
    /// How far the page scrolls sideways (0 when it fits the screen).
    pub async fn overflow_x(&self) -> i64 {
        let v =
            self.c.execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![]).await.unwrap();
        v.as_i64().unwrap_or(0)
    }
    pub async fn shot(&self, name: &str) {
        let png = self.c.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }
    pub async fn login(&self, user: &str, password: &str) {
        self.go("/login").await;
        self.fill("#username", user).await;
        self.fill("#password", password).await;
        self.click("#login-submit").await;
        self.text("#whoami").await;
    }
    pub async fn logout(&self) {
        self.click("header .who button").await;
        self.text("#login-submit, .hero").await;
    }
    /// Opens the application row with this number from the current list.
    pub async fn open(&self, number: &str) {
        let css = format!("tr[data-number='{number}'] a");
        if self.c.find(Locator::Css(&css)).await.is_err() {
            self.shot("failed-open").await;
            panic!("{number} not listed on {}: {}", self.c.current_url().await.unwrap(), self.body().await);
        }
        self.click(&css).await;
        self.text("#app-number").await;
    }
}
