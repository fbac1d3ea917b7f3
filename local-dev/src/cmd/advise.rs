//! `balto advise "texto"`: the configured advisor's decision on one transcript.

use anyhow::Result;
use balto_core::advice::Conversation;
use balto_core::advisor::Advisor;

/// Runs `advisor` on `text` and prints its decision (`--json`: the `Advice` object exactly).
pub async fn run(advisor: &dyn Advisor, text: &str, json: bool) -> Result<()> {
    let advice = advisor.advise(&Conversation::single(text)).await?;
    if json {
        println!("{}", serde_json::to_string(&advice)?);
    } else {
        println!("assessor:    {}", advisor.name());
        println!("decisão:     {}", advice.decision.as_str());
        if let Some(c) = advice.category {
            println!("categoria:   {}", c.as_str());
        }
        if let Some(p) = &advice.product {
            println!("produto:     {p}");
        }
        println!("explicação:  {}", advice.explanation);
        println!("confiança:   {}", advice.confidence.as_str());
    }
    Ok(())
}
