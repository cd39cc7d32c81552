//! The token login: a token from `accord token issue`, kept in an HTTP-only cookie for
//! the session. Without one, every page is the public view.

use maud::html;

use crate::{Ctx, layout};

/// The login page, with what went wrong last time, if anything.
pub fn login(ctx: &Ctx, error: Option<&str>) -> String {
    let main = html! {
        p { "Pages show the public view by default. A token issued by the operator (" code { "accord token issue --role ROLE" } ") shows what its role is entitled to: confidential evidence, the status query, screening." }
        @if let Some(error) = error { p.error #login-error role="alert" { (error) } }
        form method="post" action="/login" {
            label for="token" { "Token" }
            input #token type="password" name="token" autocomplete="off" required
                aria-describedby=[error.map(|_| "login-error")];
            button type="submit" { "Log in" }
        }
    };
    layout(ctx, "Log in", None, main)
}
