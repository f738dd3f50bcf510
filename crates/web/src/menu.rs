//! The site menu follows the sign-in state: the guard finds the request's
//! session ([`crate::auth::Viewer`]) and [`layer`] keeps it for the
//! request's rendering, where `base.html` asks [`signed_in`] for it.
//! Anonymous answers (the only ones cached) always show "Logga in".

use crate::auth::Viewer;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// Who the menu names, and the token of its sign-out form.
#[derive(Debug, Clone)]
pub struct MenuUser {
    pub name: String,
    pub csrf: String,
}

tokio::task_local! {
    static USER: Option<Arc<MenuUser>>;
}

/// Runs the rest of the request with the signed-in user (if any) known to
/// the templates. Inside the guard, so that the session is the one the
/// guard accepted.
pub async fn layer(req: Request, next: Next) -> Response {
    let user = req
        .extensions()
        .get::<Viewer>()
        .and_then(|v| v.0.as_ref())
        .map(|s| {
            Arc::new(MenuUser {
                name: if s.user.display_name.trim().is_empty() {
                    s.user.username.clone()
                } else {
                    s.user.display_name.clone()
                },
                csrf: s.csrf.clone(),
            })
        });
    USER.scope(user, next.run(req)).await
}

/// The signed-in user of the request being rendered, for the menu.
pub fn signed_in() -> Option<Arc<MenuUser>> {
    USER.try_with(|u| u.clone()).ok().flatten()
}
