// The wijkveilig mark (a shield with a bar chart), for the header and the sign-in page.
export function logo(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 32 32');
  svg.setAttribute('class', 'logo');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = '<path d="M16 2 4 6v9c0 7.5 5.1 13.2 12 15 6.9-1.8 12-7.5 12-15V6z" fill="#1d4e89"/><path d="M9 17h4v5H9zm5-5h4v10h-4zm5 3h4v7h-4z" fill="#fff"/>';
  return svg;
}
