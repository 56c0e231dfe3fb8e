//! Reading whole messages into billing records, on real-shaped mails.

use super::*;

fn ctx() -> ReadContext<'static> {
    ReadContext {
        rules: &[],
        pdf: &InProcessPdf,
    }
}

#[test]
fn a_receipt_whose_amounts_name_no_currency_is_unreadable_not_guessed() {
    let raw = "From: \"Anthropic, PBC\" <invoice+statements@mail.anthropic.com>\r\nSubject: Your receipt from Anthropic, PBC #2126-0850-1152\r\nMessage-ID: <cz-2126@mail.anthropic.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nReceipt from Anthropic, PBC\r\nPaid March 10, 2026\r\nReceipt number 2126-0850-1152\r\nInvoice number 2U9SPF2N-0006\r\nPayment method - 3708\r\nOne-time credit purchase Qty 1 25. 00\r\nTotal 25. 00\r\nAmount paid 25. 00\r\n";
    match read_message(raw.as_bytes(), ctx()) {
        Verdict::Unreadable(reason) => assert!(
            reason.contains("without a currency") && reason.contains("billing CSV"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_personal_mail_is_not_a_receipt() {
    let raw = "From: Mum <mum@example.org>\r\nSubject: Sunday lunch\r\nMessage-ID: <1@example.org>\r\n\r\nSee you at noon.\r\n";
    assert_eq!(read_message(raw.as_bytes(), ctx()), Verdict::NotReceipt);
}

/// One line per record: everything a receipt sets, so that a test names exactly what a
/// fixture must give.
fn summary(r: &BillingRecord) -> String {
    let d = &r.details;
    let opt =
        |a: Option<crate::domain::money::Amount>| a.map_or("-".to_string(), |a| a.to_string());
    let period = match (d.period_start, d.period_end) {
        (Some(s), Some(e)) => format!("{s}..{e}"),
        _ => "-".to_string(),
    };
    let items: Vec<String> = d
        .items
        .iter()
        .map(|i| format!("{} x{} {}", i.description, i.quantity, i.amount))
        .collect();
    format!(
        "{} {} {} {} {} {} r={} i={} tax={} ({}) credit={} card={}/{} period={} items=[{}] desc={} mid={} att={} via={} inferred={} expires={}",
        r.provider,
        r.kind.as_str(),
        r.status.as_str(),
        r.occurred_at,
        r.amount,
        r.currency,
        d.receipt_number,
        d.invoice_number,
        opt(d.tax),
        d.tax_label,
        opt(d.credit),
        d.card_brand,
        d.card_last4,
        period,
        items.join("; "),
        r.description,
        d.message_id,
        d.attachment,
        d.via.as_str(),
        d.kind_inferred,
        r.expires_at.map_or("-".to_string(), |e| e.to_string()),
    )
}

fn records(verdict: Verdict) -> Vec<String> {
    match verdict {
        Verdict::Records(r) => r.iter().map(summary).collect(),
        other => vec![format!("{other:?}")],
    }
}

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../../tests/fixtures/receipts/", $name)).as_slice()
    };
}

#[test]
fn every_mail_fixture_gives_its_exact_records() {
    let cases: &[(&str, &[u8], &[&str])] = &[
        (
            "HTML-only quoted-printable Stripe receipt",
            fixture!("anthropic-max-plan-qp.eml"),
            &[
                "anthropic subscription paid 2026-08-16 00:00:00 200.00 USD r=2070-4164-2450 i=ITRMHVSC-0017 tax=- () credit=- card=Link/ period=2026-08-16..2026-09-16 items=[Max plan - 20x x1 200.00] desc=Max plan - 20x mid=0100019a2b3c4d5e-max-20x@email.amazonses.com att= via=email inferred=false expires=-",
            ],
        ),
        (
            "receipt with its invoice and receipt PDFs in base64, Swedish VAT",
            fixture!("anthropic-credit-vat-with-pdfs.eml"),
            &[
                "anthropic credit_purchase paid 2026-03-26 00:00:00 12.50 USD r=2126-0850-1152 i=DSUQQKNL-0001 tax=2.50 (VAT - Sweden (25% on $10.00)) credit=10.00 card=Visa/4411 period=2026-03-26..2026-04-26 items=[One-time credit purchase x1 10.00] desc=One-time credit purchase mid=0100019a-credit-2126@email.amazonses.com att=Invoice-DSUQQKNL-0001.pdf, Receipt-2126-0850-1152.pdf via=email inferred=false expires=2027-03-26 00:00:00",
            ],
        ),
        (
            "forwarded copy of the same receipt",
            fixture!("fwd-anthropic-credit.eml"),
            &[
                "anthropic credit_purchase paid 2026-03-26 00:00:00 12.50 USD r=2126-0850-1152 i=DSUQQKNL-0001 tax=2.50 (VAT - Sweden (25% on $10.00)) credit=10.00 card=Visa/4411 period=2026-03-26..2026-04-26 items=[One-time credit purchase x1 10.00] desc=One-time credit purchase mid=CAFwd0001@mail.gmail.com att= via=forward inferred=false expires=2027-03-26 00:00:00",
            ],
        ),
        (
            "Stripe payment-receipt layout with a paid time",
            fixture!("openrouter-payment-receipt.eml"),
            &[
                "openrouter credit_purchase paid 2026-05-15 12:53:38 52.75 USD r=1937-7192 i= tax=- () credit=- card=Mastercard/1880 period=- items=[OpenRouter Credits x 52.75] desc=OpenRouter Credits mid=pr_1937_7192@stripe.com att= via=email inferred=false expires=2027-05-15 12:53:38",
            ],
        ),
        (
            "the same receipt forwarded as an attachment (message/rfc822)",
            fixture!("fwd-as-attachment-openrouter.eml"),
            &[
                "openrouter credit_purchase paid 2026-05-15 12:53:38 52.75 USD r=1937-7192 i= tax=- () credit=- card=Mastercard/1880 period=- items=[OpenRouter Credits x 52.75] desc=OpenRouter Credits mid=pr_1937_7192@stripe.com att= via=forward inferred=false expires=2027-05-15 12:53:38",
            ],
        ),
        (
            "amounts without a currency sign, the headline naming it",
            fixture!("anthropic-auto-recharge-czech-amounts.eml"),
            &[
                "anthropic auto_recharge paid 2026-03-10 00:00:00 40.66 USD r=2918-5547-7290 i=74EU1YAA-0013 tax=- () credit=- card=/3708 period=- items=[Auto-recharge credits x1 40.66] desc=Auto-recharge credits mid=cz-2918@mail.anthropic.com att= via=email inferred=false expires=2027-03-10 00:00:00",
            ],
        ),
        (
            "OpenAI funding notice",
            fixture!("openai-funded-2026-02-02.eml"),
            &[
                "openai credit_purchase paid 2026-02-02 08:15:02 10.00 USD r= i= tax=- () credit=- card=/4411 period=- items=[] desc=OpenAI API credit (funding notice) mid=fund-a1@tm.openai.com att= via=email inferred=true expires=2027-02-02 08:15:02",
            ],
        ),
        (
            "second of two same-day notices for the same amount",
            fixture!("openai-funded-2026-02-14-b.eml"),
            &[
                "openai credit_purchase paid 2026-02-14 09:03:30 20.00 USD r= i= tax=- () credit=- card=/4411 period=- items=[] desc=OpenAI API credit (funding notice) mid=fund-b2@tm.openai.com att= via=email inferred=true expires=2027-02-14 09:03:30",
            ],
        ),
        (
            "Anthropic failed payment",
            fixture!("anthropic-failed.eml"),
            &[
                "anthropic credit_purchase failed 2026-03-02 03:10:00 40.00 USD r= i= tax=- () credit=- card=/ period=- items=[] desc=Payment to Anthropic, PBC failed mid=failed-1@mail.anthropic.com att= via=email inferred=true expires=-",
            ],
        ),
        (
            "its retry",
            fixture!("anthropic-failed-again.eml"),
            &[
                "anthropic credit_purchase failed 2026-03-03 03:10:00 40.00 USD r= i= tax=- () credit=- card=/ period=- items=[] desc=Payment to Anthropic, PBC failed again mid=failed-2@mail.anthropic.com att= via=email inferred=true expires=-",
            ],
        ),
        (
            "US sales tax",
            fixture!("midjourney-sales-tax.eml"),
            &[
                "midjourney subscription paid 2024-11-29 00:00:00 10.89 USD r=2278-9512-8517 i=EB5152EE-0021 tax=0.89 (Sales Tax - New York (8.875%)) credit=- card=Visa/1301 period=2024-11-29..2024-12-30 items=[Basic Plan x1 10.00] desc=Basic Plan mid=mj-2278@midjourney.com att= via=email inferred=false expires=-",
            ],
        ),
        (
            "GitHub Copilot receipt",
            fixture!("github-copilot-receipt.eml"),
            &[
                "github subscription paid 2026-04-01 16:55:00 10.00 USD r=6CD4F0A6-0686-45BF-A077-775E95206DA6 i= tax=0.00 (Tax) credit=- card=Visa/4411 period=2026-04-01..2026-04-30 items=[GitHub Copilot Pro - month x 10.00] desc=GitHub Copilot Pro - month mid=gh-receipt-2026-04@github.com att= via=email inferred=false expires=-",
            ],
        ),
        (
            "OpenAI postpaid payment failure",
            fixture!("openai-invoice-payment-failed.eml"),
            &[
                "openai credit_purchase failed 2024-04-03 09:00:00 59.02 USD r= i= tax=- () credit=- card=Mastercard/9712 period=- items=[] desc=OpenAI API payment failed mid=pay-failed-2024-04@tm.openai.com att= via=email inferred=true expires=-",
            ],
        ),
    ];
    for (what, bytes, want) in cases {
        assert_eq!(records(read_message(bytes, ctx())), *want, "{what}");
    }
}

#[test]
fn every_pdf_fixture_gives_its_exact_record() {
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "Invoice-56FB0333-0001.pdf",
            fixture!("Invoice-56FB0333-0001.pdf"),
            "openai invoice pending 2026-03-26 00:00:00 10.00 USD r= i=56FB0333-0001 tax=0.00 (reverse charge) credit=- card=/ period=- items=[OpenAI API usage credit x1 10.00] desc=OpenAI API usage credit mid= att=Invoice-56FB0333-0001.pdf via=pdf inferred=false expires=-",
        ),
        (
            "Receipt-2604-9803-6736.pdf",
            fixture!("Receipt-2604-9803-6736.pdf"),
            "openai credit_purchase paid 2026-03-26 00:00:00 10.00 USD r=2604-9803-6736 i=56FB0333-0001 tax=0.00 (reverse charge) credit=- card=Mastercard/1359 period=- items=[OpenAI API usage credit x1 10.00] desc=OpenAI API usage credit mid= att=Receipt-2604-9803-6736.pdf via=pdf inferred=false expires=2027-03-26 00:00:00",
        ),
        (
            "Receipt-2244-7106-2643.pdf",
            fixture!("Receipt-2244-7106-2643.pdf"),
            "openai subscription paid 2026-08-10 00:00:00 20.00 USD r=2244-7106-2643 i=HRBTGLTD-0004 tax=- () credit=- card=Mastercard/1359 period=2026-08-10..2026-09-10 items=[ChatGPT Plus Subscription (per seat) x1 20.00] desc=ChatGPT Plus Subscription (per seat) mid= att=Receipt-2244-7106-2643.pdf via=pdf inferred=false expires=-",
        ),
        (
            "Invoice-DSUQQKNL-0001-nul-dashes.pdf",
            fixture!("Invoice-DSUQQKNL-0001-nul-dashes.pdf"),
            "anthropic invoice pending 2026-03-26 00:00:00 12.50 USD r= i=DSUQQKNL-0001 tax=2.50 (VAT - Sweden (25% on $10.00)) credit=10.00 card=/ period=2026-03-26..2026-04-26 items=[One-time credit purchase x1 10.00] desc=One-time credit purchase mid= att=Invoice-DSUQQKNL-0001-nul-dashes.pdf via=pdf inferred=false expires=-",
        ),
    ];
    for (name, bytes, want) in cases {
        assert_eq!(
            records(read_pdf_file(bytes, name, ctx())),
            vec![(*want).to_string()],
            "{name}"
        );
    }
    let malformed = read_pdf_file(fixture!("malformed.pdf"), "malformed.pdf", ctx());
    assert!(
        matches!(&malformed, Verdict::Unreadable(reason) if reason.starts_with("the PDF is damaged or not a PDF")),
        "{malformed:?}"
    );
}

#[test]
fn a_receipt_from_a_merchant_no_rule_knows_is_counted_by_name() {
    let raw = "From: Fly.io <invoice+statements+acct_1@stripe.com>\r\nSubject: Your receipt from Fly.io, Inc. #2455-9862\r\nMessage-ID: <fly@stripe.com>\r\nContent-Type: text/html\r\n\r\n<table><tr><td>Receipt from Fly.io, Inc.</td></tr><tr><td>$11.83</td></tr><tr><td>Paid April 2, 2024</td></tr><tr><td>Receipt number</td><td>2455-9862</td></tr><tr><td>Amount paid</td><td>$11.83</td></tr></table>";
    assert_eq!(
        read_message(raw.as_bytes(), ctx()),
        Verdict::UnknownMerchant("Fly.io, Inc.".into())
    );
    let rules = [crate::domain::merchants::MerchantRule::new(
        "FLY IO",
        "flyio",
        crate::domain::records::SpendKind::Subscription,
    )];
    let with_rule = ReadContext {
        rules: &rules,
        pdf: &InProcessPdf,
    };
    let got = records(read_message(raw.as_bytes(), with_rule));
    assert!(
        got[0].starts_with("flyio subscription paid 2024-04-02 00:00:00 11.83 USD r=2455-9862"),
        "{got:?}"
    );
}

#[test]
fn sniffs_files_by_their_first_bytes() {
    let cases: &[(&[u8], &str, Option<Shape>)] = &[
        (b"%PDF-1.7\n", "x.pdf", Some(Shape::Pdf)),
        (
            b"From 1@xxx Mon Nov 06 04:42:58 +0000 2017\r\n",
            "All mail.mbox",
            Some(Shape::Mailbox),
        ),
        (b"Delivered-To: a@b\r\n", "x.eml", Some(Shape::Message)),
        (
            b"From: \"Anthropic, PBC\" <a@b>\n",
            "receipt",
            Some(Shape::Message),
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1",
            "Receipt.MSG",
            Some(Shape::OutlookMsg),
        ),
        (
            b"date,provider,number,kind,amount,currency,status\n",
            "billing.csv",
            None,
        ),
        (
            b"Transaction Date,Post Date,Description\n",
            "chase.csv",
            None,
        ),
    ];
    for (head, name, want) in cases {
        assert_eq!(sniff(head, name), *want, "{name}");
    }
}
