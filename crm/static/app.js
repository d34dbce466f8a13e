// Small progressive enhancements; the pages work without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.value ?? source.textContent).then(() => {
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy draft"; }, 2000);
  });
});

// LinkedIn notes: count down from the textarea's maxlength as the user edits.
document.addEventListener("input", (event) => {
  const field = event.target.closest("textarea[data-countdown]");
  if (!field) return;
  const counter = document.getElementById(field.dataset.countdown);
  if (counter) counter.textContent = String(field.maxLength - field.value.length);
});
