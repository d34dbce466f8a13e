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

// The board: dropping a card on another column presses the card's button for that column,
// so a drag posts the same form, with its CSRF token, as a click would.
let draggedCard = null;
function moveButton(column) {
  if (!draggedCard || !column) return null;
  return draggedCard.querySelector(`button[name="status"][value="${column.dataset.status}"]`);
}
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest && event.target.closest(".board [data-application]");
  if (!card) return;
  draggedCard = card;
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", card.id);
  card.classList.add("dragging");
});
document.addEventListener("dragover", (event) => {
  const column = event.target.closest && event.target.closest(".board [data-status]");
  if (!moveButton(column)) return;
  event.preventDefault();  // allows the drop
  column.classList.add("drop-here");
});
document.addEventListener("dragleave", (event) => {
  const column = event.target.closest && event.target.closest(".board [data-status]");
  if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-here");
});
document.addEventListener("drop", (event) => {
  const column = event.target.closest && event.target.closest(".board [data-status]");
  const button = moveButton(column);
  if (!button) return;
  event.preventDefault();
  button.form.requestSubmit(button);
});
document.addEventListener("dragend", () => {
  if (draggedCard) draggedCard.classList.remove("dragging");
  draggedCard = null;
  document.querySelectorAll(".drop-here").forEach((column) => column.classList.remove("drop-here"));
});

// First run and settings: propose the browser's own time zone until one is saved.
document.querySelectorAll("select[data-propose-zone]").forEach((select) => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && [...select.options].some((option) => option.value === zone)) select.value = zone;
});

// The interview form: "Add another interviewer" copies the last row, emptied, in place;
// without script the button posts the form and the page comes back with one more row.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-add-row]");
  if (!button) return;
  const rows = button.closest("fieldset").querySelectorAll("[data-row]");
  const last = rows[rows.length - 1];
  event.preventDefault();
  const row = last.cloneNode(true);
  const renumber = (text) => text.replace(/-\d+-/, `-${rows.length}-`);
  row.querySelectorAll("[name], [id], [for]").forEach((element) => {
    ["name", "id", "for"].forEach((attribute) => {
      if (element.hasAttribute(attribute)) element.setAttribute(attribute, renumber(element.getAttribute(attribute)));
    });
    if ("value" in element && element.name) element.value = "";
    element.removeAttribute("aria-invalid");
    element.removeAttribute("aria-describedby");
  });
  row.querySelectorAll(".error").forEach((error) => error.remove());
  row.querySelectorAll(".has-error").forEach((field) => field.classList.remove("has-error"));
  last.after(row);
  row.querySelector("input").focus();
  if (rows.length + 1 >= Number(button.dataset.addRow)) button.hidden = true;
});
