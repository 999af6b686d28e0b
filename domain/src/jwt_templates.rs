//! JWT templates, as the backend manages them (`jwtTemplates`, `createJwtTemplate`,
//! `updateJwtTemplate`, `deleteJwtTemplate`). The template itself and what its tokens hold are
//! in `model::jwt_template`.

use serde_json::json;

use crate::ids::{IdKind, new_id};
use crate::model::caller::Caller;
pub use crate::model::jwt_template::{
    DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_LIFETIME_SECONDS, JwtTemplate, MAX_LIFETIME_SECONDS,
    TemplateInput,
};
use crate::platform::Platform;
use crate::store;
use crate::{Error, Result};

impl Platform {
    /// The instance's templates, by name.
    pub async fn jwt_templates(&self, caller: &Caller) -> Result<Vec<JwtTemplate>> {
        let instance = caller.require_backend()?;
        store::jwt_templates::list(&self.db, &instance.id).await
    }

    /// Creates a template; its claims are parsed now, so a bad shortcode is refused here.
    pub async fn create_jwt_template(
        &self,
        caller: &Caller,
        input: TemplateInput,
    ) -> Result<JwtTemplate> {
        let instance = caller.require_backend()?;
        let now = self.now();
        let mut template = JwtTemplate {
            id: new_id(IdKind::JwtTemplate),
            instance_id: instance.id.clone(),
            name: String::new(),
            claims: json!({}),
            lifetime_seconds: DEFAULT_LIFETIME_SECONDS,
            allowed_clock_skew_seconds: DEFAULT_CLOCK_SKEW_SECONDS,
            created_at: now,
            updated_at: now,
        };
        template.apply(input)?;
        store::jwt_templates::insert(&self.db, &template).await?;
        Ok(template)
    }

    /// Changes a template; what is not given stays.
    pub async fn update_jwt_template(
        &self,
        caller: &Caller,
        id: &str,
        input: TemplateInput,
    ) -> Result<JwtTemplate> {
        let instance = caller.require_backend()?;
        let mut template = store::jwt_templates::find(&self.db, &instance.id, id)
            .await?
            .ok_or(Error::NotFound("JWT template"))?;
        template.apply(input)?;
        template.updated_at = self.now().max(template.updated_at);
        store::jwt_templates::update(&self.db, &template).await?;
        Ok(template)
    }

    /// Deletes a template; gives it as it was.
    pub async fn delete_jwt_template(&self, caller: &Caller, id: &str) -> Result<JwtTemplate> {
        let instance = caller.require_backend()?;
        let template = store::jwt_templates::find(&self.db, &instance.id, id)
            .await?
            .ok_or(Error::NotFound("JWT template"))?;
        if !store::jwt_templates::delete(&self.db, &instance.id, id).await? {
            return Err(Error::NotFound("JWT template"));
        }
        Ok(template)
    }
}
