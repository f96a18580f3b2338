// Django's SelectFilter names its search icon with aria-label on a bare <span>, which ARIA forbids:
// given the role of an image, the name is allowed (axe-core « aria-prohibited-attr »).
window.addEventListener("load", () =>
  setTimeout(() =>
    document.querySelectorAll(".search-label-icon[aria-label]").forEach((i) => i.setAttribute("role", "img")),
  ),
);
